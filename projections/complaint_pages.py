"""The open and the resolved complaints of a team's or a client's answer, read in one statement.

Both lists carry each complaint's clock: the statement reads its inputs (``complaint_clock.INPUTS``) for the
rows shown, once for both pages, and ``clock_rows`` does the arithmetic, which planned as SQL anew for every
as-of answer cost more than all the rest of the statement. A team's complaints bring their inputs with them but
for the team's durations, which ``clock_rows.durations_in_force`` finds among the team's rule settings: its
answer reads those anyway, and the statement's own reading of the inputs was a third of its cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb

from projections.answer_rows import dicts
from projections.clock_rows import clocked, durations_in_force, judged
from projections.complaint_clock import clock_inputs_sql, clock_time, open_clock, resolved_times
from projections.parsed_sql import run
from projections.timeline import iso

OPEN_COMPLAINTS_LIMIT = 100
"""``team show`` and ``client show`` list the newest this many open complaints unless asked for all (``--all``)."""
RESOLVED_LIMIT = 100
"""They list the newest this many resolved complaints."""


SHOWN_FIELDS = ("feedback_id, client, client_identified, channel, text, rating, promise, occurred_at, business_at,"
                " owner_team, resolution, resolved_at")
"""What the pages show of each complaint's source row (and sort it by)."""
CLOCK_SHOWN = ("k.response_within, k.resolution_within, k.response_seconds, k.resolution_seconds, k.responded_at,"
               " k.response, k.resolved_at AS first_resolved_at")
"""What they read of its clock's inputs (``first_resolved_at``: the clock's; a page may show the latest)."""


def _pages_sql(complaints: str, resolved_first: bool, inputs_in_source: bool) -> str:
    fields = f"{SHOWN_FIELDS}, responded_at, response" if inputs_in_source else SHOWN_FIELDS
    clocks = "shown" if inputs_in_source else f"""(SELECT shown.*, {CLOCK_SHOWN} FROM shown
    LEFT JOIN ({clock_inputs_sql('SELECT * FROM shown', resolved_in_source=resolved_first)}) k
    ON k.feedback_id = shown.feedback_id)"""
    return f"""
WITH c AS MATERIALIZED ({complaints}),
counts AS (SELECT count(*) FILTER (resolution IS NULL) AS open_count, count(resolution) AS resolved_count FROM c),
shown AS (
    (SELECT false AS resolved, {fields} FROM c WHERE resolution IS NULL
     ORDER BY business_at DESC, feedback_id DESC LIMIT $limit OFFSET $offset)
    UNION ALL
    (SELECT true AS resolved, {fields} FROM c WHERE resolution IS NOT NULL
     ORDER BY resolved_at DESC, feedback_id DESC LIMIT $resolved_shown))
SELECT * FROM counts LEFT JOIN {clocks} ON true
"""


def complaint_pages(con: duckdb.DuckDBPyConnection, complaints: str, params: dict[str, Any], limit: int | None,
                    offset: int, *, resolved_first: bool = False, team_rules: Sequence[Mapping[str, Any]] | None = None,
                    clients: Sequence[str] | None = None,
                    ) -> tuple[int, list[dict[str, Any]], int, list[dict[str, Any]]]:
    """(open count, the newest ``limit`` open ones after the ``offset`` newest, oldest first, resolved count, the
    newest ``RESOLVED_LIMIT`` resolved ones, newest first), as rows. ``complaints``: SQL of the complaints as of
    ``$as_of`` with ``owner_team``, ``client_identified``, the latest ``resolution`` (null: open) and
    ``resolved_at`` (``resolved_first``: when first resolved, which the clocks then take as it is); one
    statement, its rows split here. With ``team_rules`` (the rule settings of the one team owning them all, as
    ``clock_rows.durations_in_force`` takes them) the complaints also carry their first response (``responded_at``,
    ``response``) and ``resolved_at`` is when first resolved: the statement then reads no clock inputs of its own,
    which planned anew for every as-of answer cost a third of it. ``clients``: the complaints of these clients
    only, counted and paged among themselves (an external client's answer: paged among all, the pages' gaps
    told of other clients' complaints, and their own beyond the newest page went missing)."""
    inputs_in_source = team_rules is not None
    if clients is not None:
        complaints = f"SELECT * FROM ({complaints}) WHERE client IN (SELECT unnest($clients::VARCHAR[]))"
        params = {**params, "clients": list(clients)}
    rows = dicts(run(con, _pages_sql(complaints, resolved_first or inputs_in_source, inputs_in_source), {
        **params, "limit": limit, "offset": offset, "resolved_shown": RESOLVED_LIMIT}))
    if team_rules is not None:
        for row in rows:
            row.update(durations_in_force(team_rules, row["occurred_at"]), first_resolved_at=row["resolved_at"])
    clock = clock_time(params["as_of"])
    shown = [_clocked(r, clock) for r in rows if r["feedback_id"] is not None]
    open_rows = sorted((r for r in shown if not r["resolved"]), key=lambda r: (r["business_at"], r["feedback_id"]))
    resolved = sorted((r for r in shown if r["resolved"]), key=lambda r: (r["resolved_at"], r["feedback_id"]),
                      reverse=True)
    return int(rows[0]["open_count"]), open_rows, int(rows[0]["resolved_count"]), resolved


def _clocked(row: dict[str, Any], clock: datetime) -> dict[str, Any]:
    """A shown row with its clock at ``clock``, and the time it shows as resolved kept."""
    shown_resolved = row["resolved_at"]
    row["resolved_at"] = row.pop("first_resolved_at")
    return {**clocked(row, clock), "resolved_at": shown_resolved}


def judged_at(rows: list[dict[str, Any]], clock: datetime) -> list[dict[str, Any]]:
    """Rows of ``complaint_pages`` judged anew at ``clock`` (their ``sla`` and ``age_seconds``; the rows are not
    changed): a page kept for the facts as of one moment, answered as of another with the same facts."""
    return [{**row, **judged(row, clock)} for row in rows]


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
