"""Feedback as of a business time as the show answers read it: with the team it belongs to, a team's own,
and the monthly counts.

Every as-of read plans its statements anew, and planning, not the (small) facts, is most of its cost: these
are written in the shapes DuckDB plans fastest (joins and plain filters, not correlated subqueries).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import duckdb

from projections.parsed_sql import run

FEEDBACK_WITH_TEAM = """
SELECT f.*, coalesce(a.team, f.team, p.promisor) AS owner_team, c.client IS NOT NULL AS client_identified,
    r.resolution
FROM feedback f
LEFT JOIN (SELECT promise, arg_max(promisor, version) AS promisor FROM promise_history
    WHERE business_at <= $as_of AND promise IN (SELECT promise FROM feedback) GROUP BY promise) p
    ON p.promise = f.promise
LEFT JOIN (SELECT feedback_id, arg_max(team, business_at) AS team FROM feedback_assignments
    WHERE business_at <= $as_of GROUP BY feedback_id) a ON a.feedback_id = f.feedback_id
LEFT JOIN (SELECT DISTINCT client FROM clients WHERE business_at <= $as_of) c ON c.client = f.client
LEFT JOIN (SELECT feedback_id, arg_max(resolution, business_at) AS resolution FROM feedback_resolutions
    WHERE business_at <= $as_of GROUP BY feedback_id) r ON r.feedback_id = f.feedback_id
WHERE f.business_at <= $as_of
"""
"""Feedback as of T with the team it belongs to (the one it was assigned, else the one it names, else its promise's
promisor), whether its client was identified and its latest resolution. Only the promises feedback names are looked
up: thousands of others' proposals cost a client's complaints nothing (docs/brief.md §10 "Cost bounds")."""

OWNED_FEEDBACK = """
SELECT * FROM feedback WHERE business_at <= $as_of
    AND (team = $team OR team IS NULL AND list_contains($promises::VARCHAR[], promise)
         OR feedback_id IN (SELECT feedback_id FROM feedback_assignments WHERE team = $team AND business_at <= $as_of))
"""
"""A team's feedback as of T: what it names the team for, names a promise the team made (``$promises``: the
promises the team made as of T, as the team's answer has them, looked up in the list rather than unnested into
a subquery: one join fewer to plan in each of the two statements of a team's answer reading it) or was assigned
to the team."""

TEAM_COMPLAINTS = f"""
SELECT f.*, $team AS owner_team,
    coalesce(f.client IN (SELECT client FROM clients WHERE business_at <= $as_of), false) AS client_identified,
    r.resolution, r.resolved_at, a.responded_at, a.response
FROM ({OWNED_FEEDBACK}) f
LEFT JOIN (SELECT feedback_id, arg_max(resolution, business_at) AS resolution, min(business_at) AS resolved_at
    FROM feedback_resolutions WHERE business_at <= $as_of GROUP BY feedback_id) r ON r.feedback_id = f.feedback_id
LEFT JOIN (SELECT feedback_id, min(business_at) AS responded_at, arg_min(response, business_at) AS response
    FROM feedback_responses WHERE business_at <= $as_of GROUP BY feedback_id) a ON a.feedback_id = f.feedback_id
WHERE f.kind = 'complaint'
"""
"""A team's complaints as of T, each with its latest resolution, when it was first resolved (``resolved_at``) and
its first response: all its clock's inputs but its team's durations (``complaint_pages``' ``team_rules``), as one
team owns them all. Whether its client was identified is a membership test, cheaper to plan than a join to the
distinct clients."""

FEEDBACK_TALLIES = "strftime(business_at, '%Y-%m') AS period, kind, rating, count(*) AS tally"
"""The columns of feedback grouped by month, kind and rating (``GROUP BY ALL``): what ``feedback_months`` counts
months from. Grouping by all three and counting here planned in two thirds of the time of counting each kind and
NPS class in SQL, and every as-of answer plans it anew; a year has at most 12 x 4 x 12 such groups."""
KINDS = ("complaint", "praise", "rating", "suggestion")


def feedback_months(tallies: Iterable[tuple[str, str, int | None, int]], *, ratings: bool = False,
                    ) -> list[dict[str, Any]]:
    """Per calendar month (``FEEDBACK_TALLIES`` rows), oldest first: ``feedback`` and a count of each kind, and NPS:
    promoters (9-10) minus detractors (0-6) in % of the rated (null without any); with ``ratings``, how many."""
    months: dict[str, dict[str, Any]] = {}
    for period, kind, rating, tally in tallies:
        month = months.setdefault(period, {"period": period, "feedback": 0, **dict.fromkeys(KINDS, 0),
                                           "rated": 0, "promoters": 0, "detractors": 0})
        month["feedback"] += tally
        if kind in KINDS:
            month[kind] += tally
        if rating is not None:
            month["rated"] += tally
            month["promoters"] += tally if rating >= 9 else 0
            month["detractors"] += tally if rating <= 6 else 0
    answer = []
    for period in sorted(months):
        month = months[period]
        rated, promoters, detractors = month.pop("rated"), month.pop("promoters"), month.pop("detractors")
        month["nps"] = 100.0 * (promoters - detractors) / rated if rated else None
        answer.append({**month, "ratings": rated} if ratings else month)
    return answer


def feedback_by_period(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime,
                       promises: list[str]) -> list[dict[str, Any]]:
    """A team's ``feedback_months`` as of T (``promises``: those the team made as of T)."""
    return feedback_months(run(
        con, f"SELECT {FEEDBACK_TALLIES} FROM ({OWNED_FEEDBACK}) GROUP BY ALL",
        {"as_of": as_of, "team": team, "promises": promises},
    ).fetchall())
