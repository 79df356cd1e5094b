"""``promise show``: a promise's terms, history, health, compliance and authorities as of a business time, and
the parts a team's answer shares with it (a promise's summary and its authority gaps).

``as_of`` is a naive-UTC datetime (``timeline.FOREVER`` for "everything"); every query reads only facts with
``business_at <= as_of``, so an as-of answer equals the answer on a store that holds only those events.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from projections.answer_rows import dicts as _dicts
from projections.promise_health import health_of
from projections.timeline import iso, iso_date, moment_of

REQUIREMENTS = """SELECT promise, list(authority ORDER BY position) AS requires FROM promise_requirements
WHERE business_at <= $as_of GROUP BY promise"""
"""The authorities each promise requires as of T (promises requiring none have no row)."""


def authority_gaps(con: duckdb.DuckDBPyConnection, as_of: datetime, promises: list[str],
                   required: dict[str, list[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Step 5 per promise as of T: the authorities it requires (``required``: as a caller read them with
    ``REQUIREMENTS``, else read here), and those its promisor does not hold (a retired promise has no gaps).
    Most promises require none: then the authorities are not looked up."""
    if required is None:
        required = dict(con.execute(f"SELECT * FROM ({REQUIREMENTS}) WHERE promise IN (SELECT unnest($promises))",
                                    {"as_of": as_of, "promises": promises}).fetchall())
    found: dict[str, dict[str, Any]] = {promise: {"requires": requires, "authority_gaps": []}
                                        for promise, requires in required.items() if requires}
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


SUMMARY_FIELDS = ("promise", "status", "version", "promisor", "promisee", "statement", "metric", "target", "period",
                  "parent")
"""What the lists of a team's answer show of a promise."""


def promise_summary(p: dict[str, Any]) -> dict[str, Any]:
    """A promise as the lists of a team's answer show it."""
    return {field: p[field] for field in SUMMARY_FIELDS}
