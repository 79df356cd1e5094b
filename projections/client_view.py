"""``client show``: a client's steps 1-4 (who they are, their pains, our value propositions and strategy
canvases), the promises made to them, their complaints and NPS, as of a business time.

Every part reads only facts with ``business_at <= as_of`` (as ``projections.queries`` does), so an as-of
answer equals the answer of a store holding only those events. Open complaints are capped as ``team show``
caps them (the newest ``limit`` after the ``offset`` newest, with the true count); resolved complaints are
the newest ``complaint_pages.RESOLVED_LIMIT``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from projections.answer_rows import dicts as _dicts
from projections.canvases import canvases_shown
from projections.complaint_pages import OPEN_COMPLAINTS_LIMIT, complaint_pages, open_complaint, resolved_complaint
from projections.feedback_sql import FEEDBACK_TALLIES, FEEDBACK_WITH_TEAM, feedback_months
from projections.read_rules import CONCERNED

SHOWN = 100
"""Pains (most severe first), value propositions and canvases (newest first), offerings per canvas (first scored
first) and promises (by key): at most this many each, with the true count beside (``pains_count``, …), so no
answer grows with what others record (docs/brief.md §10 "Cost bounds")."""

CLIENT_FEEDBACK = f"""SELECT x.*, r.resolved_at FROM ({FEEDBACK_WITH_TEAM} AND f.client = $client) x
LEFT JOIN (SELECT feedback_id, max(business_at) AS resolved_at FROM feedback_resolutions WHERE business_at <= $as_of
    GROUP BY feedback_id) r ON r.feedback_id = x.feedback_id"""
"""The client's feedback as of T, each with the team it concerns (``owner_team``) and its resolution."""

def _shown(con: duckdb.DuckDBPyConnection, sql: str, order: str,
           params: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """How many rows ``sql`` has, and the first ``SHOWN`` of them by ``order`` (without ``position``)."""
    rows = _dicts(con.execute(f"SELECT *, count(*) OVER () AS total_ FROM ({sql}) ORDER BY {order} LIMIT $shown",
                              {**params, "shown": SHOWN}))
    total = int(rows[0]["total_"]) if rows else 0
    return total, [{k: v for k, v in row.items() if k not in ("total_", "position")} for row in rows]


def _complaints(con: duckdb.DuckDBPyConnection, params: dict[str, Any], limit: int | None,
                offset: int) -> tuple[int, list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The open page and the newest resolved of the client's complaints, each naming its team."""
    open_count, open_rows, resolved_count, resolved = complaint_pages(
        con, f"SELECT * FROM ({CLIENT_FEEDBACK}) WHERE kind = 'complaint'", params, limit, offset)
    return (open_count, [{**open_complaint(r), "team": r["owner_team"]} for r in open_rows],
            resolved_count, [{**resolved_complaint(r), "team": r["owner_team"]} for r in resolved])


def client_view(con: duckdb.DuckDBPyConnection, client: str, as_of: datetime, *,
                limit: int | None = OPEN_COMPLAINTS_LIMIT, offset: int = 0) -> dict[str, Any] | None:
    """``client show``; None when the client was not identified by ``as_of``."""
    params = {"client": client, "as_of": as_of}
    found = con.execute("SELECT name, kind, description FROM clients WHERE client = $client"
                        " AND business_at <= $as_of ORDER BY position LIMIT 1", params).fetchone()
    if found is None:
        return None
    representatives = con.execute("SELECT DISTINCT person FROM client_representatives WHERE client = $client"
                                  " AND business_at <= $as_of ORDER BY person", params).fetchall()
    pains_count, pains = _shown(con, "SELECT pain, description, severity, position FROM pains WHERE client = $client"
                                " AND business_at <= $as_of", "severity DESC NULLS LAST, position", params)
    propositions_count, propositions = _shown(
        con, "SELECT proposition, team, statement, characteristics, pains, position FROM value_propositions"
        " WHERE client = $client AND business_at <= $as_of", "position DESC", params)
    promises_count, promises = _shown(
        con, "SELECT promise, promisor, status, target, metric, period, statement, version"
        " FROM promise_state_as_of($as_of) WHERE promisee = $client", "promise", params)
    canvases_count, drawn = canvases_shown(con, as_of, client=client, limit=SHOWN, offerings=SHOWN)
    open_count, open_rows, resolved_count, resolved = _complaints(con, params, limit, offset)
    teams = con.execute(f"SELECT DISTINCT team FROM ({CONCERNED}) WHERE client = $client AND team IS NOT NULL"
                        " ORDER BY team", params).fetchall()
    return {
        "client": client,
        "name": found[0],
        "kind": found[1],
        "description": found[2],
        "representatives": [person for (person,) in representatives],
        "teams": [team for (team,) in teams],
        "pains": pains,
        "pains_count": pains_count,
        "value_propositions": [{**v, "characteristics": json.loads(v["characteristics"]),
                                "pains": json.loads(v["pains"])} for v in propositions],
        "value_propositions_count": propositions_count,
        "canvases": drawn,
        "canvases_count": canvases_count,
        "promises": promises,
        "promises_count": promises_count,
        "open_complaints_count": open_count,
        "open_complaints": open_rows,
        "resolved_complaints_count": resolved_count,
        "resolved_complaints": resolved,
        "nps_by_period": feedback_months(con.execute(
            f"SELECT {FEEDBACK_TALLIES} FROM feedback WHERE client = $client AND business_at <= $as_of GROUP BY ALL",
            params).fetchall(), ratings=True),
    }
