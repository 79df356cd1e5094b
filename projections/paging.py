"""A list's answer (docs/brief.md §10 "Cost bounds"): ``{items, total, next_offset}``, for the API and the CLI."""

from __future__ import annotations

from typing import Any


def page(items: list[Any], total: int, limit: int | None, offset: int) -> dict[str, Any]:
    """These ``items`` of ``total``, and the offset of the next page (None: none)."""
    following = offset + len(items)
    return {"items": items, "total": total, "next_offset": following if following < total and items else None}
