"""What a client representative's start page reads (docs/brief.md §8 "The client's side"), as of a time.

Every query takes the clients the person represents and reads nothing else: their clients, the promises made
to them with how each is doing, and their open complaints, which §10 lets a representative read (the client's
own fields and feedback texts), plus the teams' names. Lists are bounded, with their true count;
the promises are paged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.paging import paged
from projections.promise_health import health_of
from projections.queries import FEEDBACK_WITH_TEAM, _complaint, _dicts
from projections.timeline import iso_date, moment_of

PROMISES_LISTED = 50
"""The start page lists this many promises at a time, those in force first (the heading counts them all; "Next
promises" pages on, docs/brief.md §10 "Cost bounds")."""

COMPLAINTS_LISTED = 100
"""And the newest this many open complaints, as a team page does."""


def clients_of(con: duckdb.DuckDBPyConnection, clients: list[str], as_of: datetime) -> list[dict[str, Any]]:
    return _dicts(con.execute(
        "SELECT client, name, kind FROM clients WHERE list_contains($clients, client) AND business_at <= $as_of"
        " ORDER BY name, client", {"clients": clients, "as_of": as_of}))


LATEST_TO = """
SELECT promise, version, status, promisee, CASE status WHEN 'agreed' THEN 0 WHEN 'proposed' THEN 1 ELSE 2 END AS rank
FROM promise_latest_as_of($as_of) WHERE list_contains($clients, promisee)
"""
"""Each promise to these clients: its latest version and status (narrow: only the page's rows are read whole)."""


def promises_to(con: duckdb.DuckDBPyConnection, clients: list[str], as_of: datetime, now: datetime,
                offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many promises are made to these clients, and ``PROMISES_LISTED`` of them after ``offset`` (in force,
    then under negotiation, then retired; by client and key) with the promisor's name, the latest completed period
    with a reading (kept or missed; the one in progress is neither yet) and its health (``kept`` of ``periods``:
    §9's attainment over the last 13 periods), seen at ``now``."""
    total, chosen = paged(con, LATEST_TO, "rank, promisee, promise", {"as_of": as_of, "clients": clients},
                          PROMISES_LISTED, offset)
    if not chosen:
        return total, []
    rows = _dicts(con.execute(
        "SELECT p.promise, p.status, p.promisor, t.name AS promisor_name, p.promisee, c.name AS promisee_name,"
        " p.statement, p.metric, p.target, p.period FROM promise_history p"
        " JOIN (SELECT unnest($promises) AS promise, unnest($versions) AS version, unnest($order) AS n) k"
        " USING (promise, version) LEFT JOIN teams t ON t.team = p.promisor"
        " LEFT JOIN clients c ON c.client = p.promisee ORDER BY k.n",
        {"promises": [r["promise"] for r in chosen], "versions": [r["version"] for r in chosen],
         "order": list(range(len(chosen)))}))
    # a promise still proposed was never agreed (agreement is for good): no period of it counts yet
    counted = [r["promise"] for r in rows if r["status"] != "proposed"]
    latest = {row[0]: row[1:] for row in con.execute(
        "SELECT promise, max(period_start), arg_max(kept, period_start) FROM compliance_as_of($as_of, $now)"
        " WHERE kept IS NOT NULL AND list_contains($promises, promise) GROUP BY promise",
        {"as_of": as_of, "now": now, "promises": counted}).fetchall()} if counted else {}
    healths = health_of(con, counted, as_of, now) if counted else {}
    for row in rows:
        last_start, last_kept = latest.get(row["promise"], (None, None))
        health = healths.get(row["promise"])
        attainment = (health or {}).get("attainment") or {"kept": 0, "periods": 0}
        row.update(last_period=iso_date(last_start) if last_start else None, last_kept=last_kept,
                   kept=attainment["kept"], periods=attainment["periods"], health=health)
    return total, rows


def open_complaints_of(con: duckdb.DuckDBPyConnection, clients: list[str],
                       as_of: datetime) -> tuple[int, list[dict[str, Any]]]:
    """How many complaints of these clients are open, and the newest ``COMPLAINTS_LISTED`` with the team each
    concerns."""
    rows = _dicts(con.execute(
        f"SELECT f.*, t.name AS team_name, c.name AS client_name, count(*) OVER () AS total"
        f" FROM ({FEEDBACK_WITH_TEAM}) f LEFT JOIN teams t ON t.team = f.owner_team"
        " LEFT JOIN clients c ON c.client = f.client"
        " WHERE f.kind = 'complaint' AND f.resolution IS NULL AND list_contains($clients, f.client)"
        " ORDER BY f.business_at DESC, f.feedback_id DESC LIMIT $limit",
        {"clients": clients, "as_of": as_of, "limit": COMPLAINTS_LISTED}))
    return (int(rows[0]["total"]) if rows else 0), [
        {**_complaint(r), "team": r["owner_team"], "team_name": r["team_name"], "client_name": r["client_name"]}
        for r in rows]


def team_names(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[dict[str, Any]]:
    """Every team by name (the "Log complaint" form's choice; only the council forms teams, so few)."""
    teams = con.execute("SELECT team, name FROM teams WHERE business_at <= ? ORDER BY name", [as_of]).fetchall()
    return [{"team": t, "name": n} for t, n in teams]


def client_side(con: duckdb.DuckDBPyConnection, clients: list[str], as_of: datetime,
                promises_offset: int = 0) -> dict[str, Any]:
    """Everything the representative's part of the start page shows, the promises from ``promises_offset`` on."""
    promise_count, promises = promises_to(con, clients, as_of, moment_of(as_of), promises_offset)
    complaint_count, complaints = open_complaints_of(con, clients, as_of)
    return {"clients": clients_of(con, clients, as_of), "promises": promises, "promise_count": promise_count,
            "complaints": complaints, "complaint_count": complaint_count, "teams": team_names(con, as_of)}
