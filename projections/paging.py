"""A list's answer (docs/brief.md §10 "Cost bounds"): ``{items, total, next_offset}``, for the API and the CLI, and a
page of a statement's rows with their count, for the pages."""

from __future__ import annotations

from typing import Any

import duckdb

from projections.answer_rows import dicts


def page(items: list[Any], total: int, limit: int | None, offset: int) -> dict[str, Any]:
    """These ``items`` of ``total``, and the offset of the next page (None: none)."""
    following = offset + len(items)
    return {"items": items, "total": total, "next_offset": following if following < total and items else None}


def paged(con: duckdb.DuckDBPyConnection, rows: str, order: str, params: dict[str, Any], limit: int,
          offset: int) -> tuple[int, list[dict[str, Any]]]:
    """How many rows the statement ``rows`` gives, and ``limit`` of them after ``offset`` in ``order``, as dicts: one
    statement (the count beside the page), and a count of its own only for a page past the end."""
    found = dicts(con.execute(f"SELECT *, count(*) OVER () AS total_rows FROM ({rows}) ORDER BY {order}"
                              " LIMIT $limit OFFSET $offset", {**params, "limit": limit, "offset": offset}))
    if not found:
        return (con.execute(f"SELECT count(*) FROM ({rows})", params).fetchone() or (0,))[0] if offset else 0, []
    total = int(found[0]["total_rows"])
    return total, [{k: v for k, v in row.items() if k != "total_rows"} for row in found]
