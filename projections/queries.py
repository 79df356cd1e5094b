"""The answers of the show commands, computed from the fact tables as of a business time.

``as_of`` is a naive-UTC datetime (``timeline.FOREVER`` for "everything"); every query
reads only facts with ``business_at <= as_of``, so an as-of answer equals the answer on a store that
holds only those events.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from projections.complaint_clock import clock_sql, clock_time, open_clock, resolved_times
from projections.economics import economics
from projections.growth import self_funded_months
from projections.promise_health import health_of
from projections.success_metric import success_metric
from projections.timeline import iso, iso_date, moment_of


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]



FEEDBACK_WITH_TEAM = """
SELECT f.*, coalesce(a.team, f.team, p.promisor) AS owner_team, c.client IS NOT NULL AS client_identified,
    r.resolution
FROM feedback f
LEFT JOIN promise_state_as_of($as_of) p ON p.promise = f.promise
LEFT JOIN (SELECT feedback_id, arg_max(team, business_at) AS team FROM feedback_assignments
    WHERE business_at <= $as_of GROUP BY feedback_id) a ON a.feedback_id = f.feedback_id
LEFT JOIN (SELECT DISTINCT client FROM clients WHERE business_at <= $as_of) c ON c.client = f.client
LEFT JOIN (SELECT feedback_id, arg_max(resolution, business_at) AS resolution FROM feedback_resolutions
    WHERE business_at <= $as_of GROUP BY feedback_id) r ON r.feedback_id = f.feedback_id
WHERE f.business_at <= $as_of
"""
"""Feedback as of T with the team it belongs to (the one it was assigned, else the one it names, else its promise's
promisor), whether its client was identified and its latest resolution
(joins, not correlated subqueries: DuckDB plans this in a fraction of the time, and every as-of read plans it)."""


def authority_gaps(con: duckdb.DuckDBPyConnection, as_of: datetime, promises: list[str]) -> dict[str, dict[str, Any]]:
    """Step 5 per promise as of T: the authorities it requires, and those its promisor does not hold
    (a retired promise has no gaps). Most promises require none: then the authorities are not looked up."""
    required = con.execute(
        "SELECT promise, list(authority ORDER BY position) FROM promise_requirements"
        " WHERE business_at <= $as_of AND promise IN (SELECT unnest($promises)) GROUP BY promise",
        {"as_of": as_of, "promises": promises},
    ).fetchall()
    found: dict[str, dict[str, Any]] = {promise: {"requires": requires, "authority_gaps": []}
                                        for promise, requires in required}
    if found:
        rows = con.execute(
            "SELECT r.promise, list(r.authority ORDER BY r.position) AS gaps"
            " FROM promise_requirements r JOIN promise_state_as_of($as_of) p ON p.promise = r.promise"
            " LEFT JOIN authorities_as_of($as_of) a ON a.team = p.promisor AND a.authority = r.authority"
            " WHERE r.business_at <= $as_of AND r.promise IN (SELECT unnest($promises))"
            " AND a.authority IS NULL AND p.status <> 'retired' GROUP BY r.promise",
            {"as_of": as_of, "promises": list(found)},
        ).fetchall()
        for promise, gaps in rows:
            found[promise]["authority_gaps"] = gaps
    return {p: found.get(p, {"requires": [], "authority_gaps": []}) for p in promises}


def _pending_amendment(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The amendment proposed since the latest change of terms, waiting for the other side."""
    for h in reversed(history):
        if h["event"] == "AmendmentProposed":
            return {"changes": json.loads(h["changes"]), "reason": h["reason"], "actor": h["actor"],
                    "at": iso(h["business_at"]), "version": h["version"]}
        if h["event"] in ("Amended", "AmendmentDeclined", "Retired"):
            return None
    return None


def _awaiting_consent(latest: dict[str, Any]) -> list[str]:
    """The parties (promisor, then promisee) whose consent the terms on the table still need (docs/brief.md §10)."""
    if latest["status"] != "proposed" and latest["event"] not in ("AmendmentProposed", "Consented"):
        return []
    consented = set(json.loads(latest["consented"] or "[]"))
    return [latest[side] for side in ("promisor", "promisee") if side not in consented]


def compliance_rows(con: duckdb.DuckDBPyConnection, promises: list[str],
                    as_of: datetime) -> dict[str, list[dict[str, Any]]]:
    """Each promise's compliance periods as of T, oldest first: one statement for any number of promises (a team
    page draws a chart for each of its promises)."""
    rows = con.execute(
        "SELECT promise, period_start, value, target, kept, in_progress FROM compliance_as_of(?, ?)"
        " WHERE list_contains(?, promise) ORDER BY promise, period_start", [as_of, moment_of(as_of), promises],
    ).fetchall()
    found: dict[str, list[dict[str, Any]]] = {promise: [] for promise in promises}
    for promise, start, value, target, kept, in_progress in rows:
        found[promise].append({"period_start": iso_date(start), "value": value, "target": target, "kept": kept,
                               "in_progress": in_progress})
    return found


def promise_view(con: duckdb.DuckDBPyConnection, promise: str, as_of: datetime) -> dict[str, Any] | None:
    history = _dicts(con.execute(
        "SELECT * FROM promise_history WHERE promise = ? AND business_at <= ? ORDER BY version", [promise, as_of]
    ))
    if not history:
        return None
    latest = history[-1]
    now = moment_of(as_of)
    return {
        "promise": promise,
        "status": latest["status"],
        "version": latest["version"],
        "target": latest["target"],
        "metric": latest["metric"],
        "promisor": latest["promisor"],
        "promisee": latest["promisee"],
        "statement": latest["statement"],
        "period": latest["period"],
        "parent": latest["parent"],
        "objective": latest["objective"],
        "health": health_of(con, [promise], as_of, now)[promise],
        "history": [
            {
                "version": h["version"],
                "event": h["event"],
                "at": iso(h["business_at"]),
                "recorded_at": iso(h["recorded_at"]),
                "actor": h["actor"],
                "reason": h["reason"],
                "correlation": h["correlation"],
                "changes": json.loads(h["changes"]),
            }
            for h in history
        ],
        "compliance": compliance_rows(con, [promise], as_of)[promise],
        **authority_gaps(con, as_of, [promise])[promise],
        "pending_amendment": _pending_amendment(history),
        "awaiting_consent": _awaiting_consent(latest),
    }


def _promise_summary(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "promise": p["promise"],
        "status": p["status"],
        "version": p["version"],
        "promisor": p["promisor"],
        "promisee": p["promisee"],
        "statement": p["statement"],
        "metric": p["metric"],
        "target": p["target"],
        "period": p["period"],
        "parent": p["parent"],
    }


def _complaint(row: dict[str, Any]) -> dict[str, Any]:
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


OWNED_FEEDBACK = """
SELECT * FROM feedback WHERE business_at <= $as_of
    AND (team = $team OR team IS NULL AND promise IN (SELECT unnest($promises::VARCHAR[]))
         OR feedback_id IN (SELECT feedback_id FROM feedback_assignments WHERE team = $team AND business_at <= $as_of))
"""
"""A team's feedback as of T: what it names the team for, names a promise the team made (``$promises``: the
promises the team made as of T, as the team's answer has them) or was assigned to the team; DuckDB plans this
simple filter fastest, and every as-of read plans its queries anew."""

OPEN_COMPLAINTS_LIMIT = 100
"""``team show`` lists the newest this many open complaints unless asked for all (``--all``)."""


FEEDBACK_COUNTS = (
    "strftime(business_at, '%Y-%m') AS period, count(*) AS feedback,"
    " count(*) FILTER (kind = 'complaint') AS complaint, count(*) FILTER (kind = 'praise') AS praise,"
    " count(*) FILTER (kind = 'rating') AS rating, count(*) FILTER (kind = 'suggestion') AS suggestion,"
    " CASE WHEN count(rating) > 0 THEN CAST(100.0 AS DOUBLE)"
    " * (count(*) FILTER (rating >= 9) - count(*) FILTER (rating <= 6)) / count(rating) END AS nps"
)
"""The columns of a month of feedback (grouped by ``period``): counts by kind and NPS (a team's, a client's)."""


def feedback_by_period(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime,
                       promises: list[str]) -> list[dict[str, Any]]:
    """Counts by kind and NPS (promoters 9-10 minus detractors 0-6, in %) per calendar month (``promises``: those
    the team made as of T)."""
    return _dicts(con.execute(
        f"SELECT {FEEDBACK_COUNTS} FROM ({OWNED_FEEDBACK}) GROUP BY period ORDER BY period",
        {"as_of": as_of, "team": team, "promises": promises},
    ))


OPEN_COMPLAINTS = f"""
SELECT * FROM ({OWNED_FEEDBACK}) f WHERE kind = 'complaint' AND NOT EXISTS
    (SELECT 1 FROM feedback_resolutions r WHERE r.feedback_id = f.feedback_id AND r.business_at <= $as_of)
"""
"""A team's complaints not resolved as of T."""


def open_complaints(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime, promises: list[str],
                    limit: int | None = None, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many complaints of the team are open as of T, and the newest ``limit`` of them after skipping
    the ``offset`` newest (all when ``limit`` is None), listed oldest first, each with its deadlines and state
    (``projections.complaint_clock``; ``promises``: those the team made as of T)."""
    params = {"as_of": as_of, "team": team, "promises": promises}
    window = _dicts(con.execute(
        "WITH w AS (SELECT *, $team AS owner_team, count(*) OVER () AS open_count"
        f" FROM ({OPEN_COMPLAINTS}) ORDER BY business_at DESC, feedback_id DESC LIMIT $limit OFFSET $offset)"
        " SELECT w.*, c.client IS NOT NULL AS client_identified,"
        " k.* EXCLUDE (feedback_id, owner_team, occurred_at) FROM w"
        " LEFT JOIN (SELECT DISTINCT client FROM clients WHERE business_at <= $as_of) c ON c.client = w.client"
        f" LEFT JOIN ({clock_sql('SELECT * FROM w')}) k ON k.feedback_id = w.feedback_id"
        " ORDER BY business_at, feedback_id",
        {**params, "limit": limit, "offset": offset, "clock": clock_time(as_of)},
    ))
    if window:
        return int(window[0]["open_count"]), [open_complaint(row) for row in window]
    if offset == 0:
        return 0, []
    found = con.execute(f"SELECT count(*) FROM ({OPEN_COMPLAINTS})", params).fetchone()
    return int(found[0]) if found else 0, []


def open_complaint(row: dict[str, Any]) -> dict[str, Any]:
    """An open complaint as ``team show`` and ``client show`` list it: what was said, its answer so far and its
    clock (docs/brief.md §9)."""
    return {**_complaint(row), "response": row["response"], **open_clock(row)}


RESOLVED_COMPLAINTS = f"""
WITH w AS (SELECT *, $team AS owner_team, count(*) OVER () AS resolved_count FROM ({OWNED_FEEDBACK}) f
    WHERE kind = 'complaint' AND EXISTS
        (SELECT 1 FROM feedback_resolutions r WHERE r.feedback_id = f.feedback_id AND r.business_at <= $as_of))
SELECT w.*, c.client IS NOT NULL AS client_identified, k.* EXCLUDE (feedback_id, owner_team, occurred_at),
    (SELECT arg_max(resolution, business_at) FROM feedback_resolutions r
     WHERE r.feedback_id = w.feedback_id AND r.business_at <= $as_of) AS resolution
FROM w LEFT JOIN (SELECT DISTINCT client FROM clients WHERE business_at <= $as_of) c ON c.client = w.client
LEFT JOIN ({clock_sql('SELECT * FROM w')}) k ON k.feedback_id = w.feedback_id
ORDER BY k.resolved_at DESC, w.feedback_id DESC LIMIT $limit
"""
"""A team's newest resolved complaints as of T with their clocks (``resolved_count``: all of them)."""
RESOLVED_LIMIT = 100
"""``team show`` lists the newest this many resolved complaints, as ``client show`` does."""


def resolved_complaints(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime,
                        promises: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """How many complaints of the team were resolved as of T, and the ``RESOLVED_LIMIT`` most recently resolved,
    newest first, each with its response and resolution times (docs/brief.md §9)."""
    rows = _dicts(con.execute(RESOLVED_COMPLAINTS, {"as_of": as_of, "team": team, "promises": promises,
                                                    "limit": RESOLVED_LIMIT, "clock": clock_time(as_of)}))
    return (int(rows[0]["resolved_count"]) if rows else 0,
            [resolved_complaint(row) for row in rows])


def resolved_complaint(row: dict[str, Any]) -> dict[str, Any]:
    return {**_complaint(row), "response": row["response"], "resolution": row["resolution"],
            "resolved_at": iso(row["resolved_at"]), **resolved_times(row)}


TEAM_CORE = """
SELECT name,
    (SELECT list({'person': person, 'role': role, 'lead': lead} ORDER BY person)
        FROM team_members_as_of($as_of) WHERE team = $team) AS members,
    (SELECT rules FROM team_rules WHERE team = $team AND business_at <= $as_of
        ORDER BY business_at DESC, position DESC LIMIT 1) AS rules,
    (SELECT [response_within, resolution_within] FROM team_rules WHERE team = $team AND business_at <= $as_of
        ORDER BY business_at DESC, position DESC LIMIT 1) AS complaint_times,
    (SELECT list({'authority': authority, 'description': description} ORDER BY authority)
        FROM authorities_as_of($as_of) WHERE team = $team) AS authorities
FROM teams WHERE team = $team AND business_at <= $as_of
"""
"""A team's name, members, communication rules and authorities as of T: one statement, as DuckDB's cost
of a read is mostly per statement."""


def team_view(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime, *,
              limit: int | None = OPEN_COMPLAINTS_LIMIT, offset: int = 0) -> dict[str, Any] | None:
    """``team show``: ``open_complaints`` holds the newest ``limit`` open complaints (None: all) after
    the ``offset`` newest; ``open_complaints_count`` is how many are open in all."""
    found = con.execute(TEAM_CORE, {"as_of": as_of, "team": team}).fetchone()
    if found is None:
        return None
    name, members, rules, complaint_times, authorities = found
    response_within, resolution_within = complaint_times or (None, None)
    promises = _dicts(con.execute(
        "SELECT * FROM promise_state_as_of($as_of) WHERE promisor = $team OR promisee = $team ORDER BY promise",
        {"as_of": as_of, "team": team},
    ))
    made = [p["promise"] for p in promises if p["promisor"] == team]
    open_count, complaints = open_complaints(con, team, as_of, made, limit, offset)
    resolved_count, resolved = resolved_complaints(con, team, as_of, made)
    gaps = authority_gaps(con, as_of, [p["promise"] for p in promises])
    money = [{k: v for k, v in row.items() if k != "team"} for row in economics(con, as_of, team)]
    return {
        "team": team,
        "name": name,
        "members": [{**member, "lead": bool(member["lead"])} for member in members or []],
        "promises": [{**_promise_summary(p), **gaps[p["promise"]]} for p in promises if p["promisor"] == team],
        "promises_received": [
            {**_promise_summary(p), **gaps[p["promise"]]} for p in promises if p["promisee"] == team
        ],
        "open_complaints": complaints,
        "open_complaints_count": open_count,
        "resolved_complaints": resolved,
        "resolved_complaints_count": resolved_count,
        "economics": money,
        "self_funded_months": self_funded_months(money),
        "success_metric": success_metric(con, team, as_of),
        "feedback_by_period": feedback_by_period(con, team, as_of, made),
        "communication_rules": json.loads(rules) if rules is not None else [],
        "complaint_response_within": response_within,
        "complaint_resolution_within": resolution_within,
        "authorities": authorities or [],
    }


def experiment_view(con: duckdb.DuckDBPyConnection, experiment: str, as_of: datetime) -> dict[str, Any] | None:
    from projections.adoptions import adoptions
    from projections.experiments import experiments  # here: the statistics modules are for this view alone

    found = experiments(con, as_of, experiment, history=True)
    return {**found[0], "adoptions": adoptions(con, experiment, as_of)} if found else None

