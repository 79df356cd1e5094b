"""The open and the resolved complaints of a team's or a client's answer, read in one statement.

Both lists carry each complaint's clock (``projections.complaint_clock``); computing it once for both pages,
rather than once per page, halves the planning that is most of an as-of answer's cost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.answer_rows import dicts
from projections.complaint_clock import JUDGED, JUDGED_FROM, clock_sql, clock_time, open_clock, resolved_times
from projections.timeline import iso

OPEN_COMPLAINTS_LIMIT = 100
"""``team show`` and ``client show`` list the newest this many open complaints unless asked for all (``--all``)."""
RESOLVED_LIMIT = 100
"""They list the newest this many resolved complaints."""


SHOWN_FIELDS = ("feedback_id, client, client_identified, channel, text, rating, promise, occurred_at, business_at,"
                " owner_team, resolution, resolved_at")
"""What the pages show of each complaint's source row (and sort it by)."""
CLOCK_SHOWN = ", ".join(f"k.{name}" for name in (
    "respond_by", "resolve_by", "responded_at", "response", "overdue_at", "response_soon_at", "response_soon_until",
    "resolution_soon_at", "resolution_soon_until", "sla", "age_seconds"))
"""What they show of its clock: the answer's times and what ``judged_at`` judges a kept page by. Only these: every
column is planned and converted to Python anew for each as-of answer."""


def _pages_sql(complaints: str, resolved_first: bool) -> str:
    return f"""
WITH c AS MATERIALIZED ({complaints}),
counts AS (SELECT count(*) FILTER (resolution IS NULL) AS open_count, count(resolution) AS resolved_count FROM c),
shown AS (
    (SELECT false AS resolved, {SHOWN_FIELDS} FROM c WHERE resolution IS NULL
     ORDER BY business_at DESC, feedback_id DESC LIMIT $limit OFFSET $offset)
    UNION ALL
    (SELECT true AS resolved, {SHOWN_FIELDS} FROM c WHERE resolution IS NOT NULL
     ORDER BY resolved_at DESC, feedback_id DESC LIMIT $resolved_shown))
SELECT * FROM counts LEFT JOIN (SELECT shown.*, {CLOCK_SHOWN} FROM shown
    LEFT JOIN ({clock_sql('SELECT * FROM shown', resolved_in_source=resolved_first)}) k
    ON k.feedback_id = shown.feedback_id) ON true
"""


def complaint_pages(con: duckdb.DuckDBPyConnection, complaints: str, params: dict[str, Any], limit: int | None,
                    offset: int, *, resolved_first: bool = False) -> tuple[int, list[dict[str, Any]], int,
                                                                           list[dict[str, Any]]]:
    """(open count, the newest ``limit`` open ones after the ``offset`` newest, oldest first, resolved count, the
    newest ``RESOLVED_LIMIT`` resolved ones, newest first), as rows. ``complaints``: SQL of the complaints as of
    ``$as_of`` with ``owner_team``, ``client_identified``, the latest ``resolution`` (null: open) and
    ``resolved_at`` (``resolved_first``: when first resolved, which the clocks then take as it is); one
    statement, its rows split here."""
    rows = dicts(con.execute(_pages_sql(complaints, resolved_first), {
        **params, "limit": limit, "offset": offset, "resolved_shown": RESOLVED_LIMIT,
        "clock": clock_time(params["as_of"])}))
    shown = [r for r in rows if r["feedback_id"] is not None]
    open_rows = sorted((r for r in shown if not r["resolved"]), key=lambda r: (r["business_at"], r["feedback_id"]))
    resolved = sorted((r for r in shown if r["resolved"]), key=lambda r: (r["resolved_at"], r["feedback_id"]),
                      reverse=True)
    return int(rows[0]["open_count"]), open_rows, int(rows[0]["resolved_count"]), resolved


def judged_at(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], clock: datetime) -> list[dict[str, Any]]:
    """Rows of ``complaint_pages`` judged anew at ``clock`` (their ``sla`` and ``age_seconds``; the rows are not
    changed): a page kept for the facts as of one moment, answered as of another with the same facts."""
    if not rows:
        return rows
    columns = ", ".join(f"unnest(${name}::{kind}[]) AS {name}" for name, kind in JUDGED_FROM.items())
    judged = con.execute(f"SELECT {JUDGED} FROM (SELECT {columns})",
                         {"clock": clock, **{name: [row[name] for row in rows] for name in JUDGED_FROM}}).fetchall()
    return [{**row, "sla": sla, "age_seconds": age} for row, (sla, age) in zip(rows, judged, strict=True)]


def complaint_fields(row: dict[str, Any]) -> dict[str, Any]:
    """What a complaint says, as every answer listing complaints shows it."""
    return {
        "feedback_id": row["feedback_id"],
        "client": row["client"],
        "client_identified": row["client_identified"],
        "channel": row["channel"],
        "text": row["text"],
        "rating": row["rating"],
        "promise": row["promise"],
        "occurred_at": iso(row["occurred_at"]),
    }


def open_complaint(row: dict[str, Any]) -> dict[str, Any]:
    """An open complaint as ``team show`` and ``client show`` list it: what was said, its answer so far and its
    clock (docs/brief.md §9)."""
    return {**complaint_fields(row), "response": row["response"], **open_clock(row)}


def resolved_complaint(row: dict[str, Any]) -> dict[str, Any]:
    return {**complaint_fields(row), "response": row["response"], "resolution": row["resolution"],
            "resolved_at": iso(row["resolved_at"]), **resolved_times(row)}
