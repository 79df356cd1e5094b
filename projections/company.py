"""The council's company page (docs/brief.md §8 "The council"), as of a time: every team with its promises (kept
of the recent periods, the current period's state), open complaints and this month's economics.

Four statements for the whole company, whatever the number of teams: the promises with their compliance
(``compliance_as_of``, the one compliance query), the open complaints per owning team (``FEEDBACK_WITH_TEAM``,
as ``team show`` and the client pages count them, with how many are overdue), the newest that name no team,
and ``economics`` (the one economics computation).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import duckdb

from projections.adoptions import proven_solutions
from projections.complaint_clock import clock_sql
from projections.economics import economics
from projections.queries import FEEDBACK_WITH_TEAM, _dicts
from projections.timeline import iso, iso_date

PROMISES = """
SELECT p.promise, p.promisor, p.promisee, p.statement, p.status, p.target, p.period,
    coalesce(h.current_start, date_trunc(p.period, $now)) AS current_start, h.periods, h.kept, h.no_data,
    h.value AS current_value, h.status AS current_status
FROM promise_state_as_of($as_of) p LEFT JOIN promise_health_as_of($as_of, $now) h USING (promise)
WHERE p.status <> 'retired'
ORDER BY p.promisor, p.promise
"""
"""Each promise in force or under negotiation with its health (``promise_health_as_of``, the one attainment
computation: kept of the last 13 calendar periods with a reading before the current one) and the value so far
(``$now``: the moment shown, naive UTC)."""

OPEN_COMPLAINTS = f"SELECT * FROM ({FEEDBACK_WITH_TEAM}) WHERE kind = 'complaint' AND resolution IS NULL"
OPEN_BY_TEAM = f"""
SELECT k.owner_team, count(*), count(*) FILTER (k.sla = 'overdue') FROM ({clock_sql(OPEN_COMPLAINTS)}) k
GROUP BY k.owner_team
"""
"""Per owning team (null: none), its open complaints and how many of them are overdue at ``$clock``."""
UNASSIGNED = f"""
SELECT feedback_id, client, channel, text, occurred_at FROM ({OPEN_COMPLAINTS}) WHERE owner_team IS NULL
ORDER BY business_at DESC, feedback_id DESC LIMIT $limit
"""
UNASSIGNED_SHOWN = 100
"""The company page lists the newest this many open complaints that name no team (the count says how many)."""

def _current_state(row: dict[str, Any]) -> str:
    """The current period in words: "in progress" (never "missed": it is not over), with its value so far."""
    if row["status"] != "agreed":
        return "under negotiation"
    if row["current_value"] is None:
        return "in progress, no reading yet"
    risk = ", at risk" if row["current_status"] == "at_risk" else ""
    return f"in progress{risk}, {row['current_value']:,.4g} so far (target {row['target']:,.4g})"


def _money(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A month's economics as the page shows them (``period``: this month, or the latest month with entries)."""
    return None if row is None else {k: row[k] for k in ("period", "revenue", "costs", "net_profit", "bonus_pool")}


def company_view(con: duckdb.DuckDBPyConnection, as_of: datetime, now: datetime) -> dict[str, Any]:
    """``{month, teams: [{team, name, promises, open_complaints, overdue_complaints, economics}],
    unassigned_complaints, unassigned, proven_solutions}`` (``unassigned``: the newest open complaints naming no
    team; ``proven_solutions``: how far each proven solution spread, ``projections.adoptions``; ``economics``:
    this month's, else the latest month's with entries, with its ``period``; None without entries); ``now`` is
    the moment shown (the as-of time, or the clock's now when the page shows now), naive UTC."""
    teams = con.execute("SELECT team, name FROM teams WHERE business_at <= ? ORDER BY name, team", [as_of]).fetchall()
    promises: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _dicts(con.execute(PROMISES, {"as_of": as_of, "now": now})):
        promises[row["promisor"]].append({
            "promise": row["promise"], "promisee": row["promisee"], "statement": row["statement"],
            "status": row["status"], "period": row["period"], "kept": row["kept"] or 0, "periods": row["periods"] or 0,
            "no_data": row["no_data"] or 0,
            "current_period": iso_date(row["current_start"]), "current": _current_state(row)})
    counts = {team: (int(n), int(overdue)) for team, n, overdue in
              con.execute(OPEN_BY_TEAM, {"as_of": as_of, "clock": now}).fetchall()}
    unassigned = _dicts(con.execute(UNASSIGNED, {"as_of": as_of, "limit": UNASSIGNED_SHOWN}))
    month = now.strftime("%Y-%m")
    latest: dict[str, dict[str, Any]] = {}  # each team's latest month with entries, up to this month
    for row in economics(con, as_of):
        if row["period"] <= month:
            latest[row["team"]] = row
    return {
        "month": month,
        "teams": [{"team": team, "name": name, "promises": promises.get(team, []),
                   "open_complaints": counts.get(team, (0, 0))[0], "overdue_complaints": counts.get(team, (0, 0))[1],
                   "economics": _money(latest.get(team))}
                  for team, name in teams],
        "unassigned_complaints": counts.get(None, (0, 0))[0],
        "unassigned": [{**row, "occurred_at": iso(row["occurred_at"]),
                        "age_seconds": int((now - row["occurred_at"]).total_seconds())} for row in unassigned],
        "proven_solutions": proven_solutions(con, as_of),
    }
