"""What awaits a person's answer (the start page, docs/brief.md §8 and §10): the proposals and pending amendments
on the table that still need the consent of a side this person may consent for, one page of them with how many
there are in all.

A page and its count are one statement over the promises' latest rows, narrow, so the page stays fast however many
proposals others made (§10 "Cost bounds"). It reads §10's
consent rule from the views, as the permission table's ``may_consent_now`` does from the aggregates: a team
consents through its leads and the consent holders they named, a client through its representatives, and for a
client nobody represents the promisor team's consent stands for both; ``tests/e2e/test_web_home_paging.py`` holds
the two answers equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.paging import paged

AWAITING = """
SELECT promise, status, promisor, promisee, statement FROM promise_latest_as_of($as_of)
WHERE (status = 'proposed' OR (status = 'agreed' AND event IN ('AmendmentProposed', 'Consented')))
    AND ((list_contains($teams, promisor) AND NOT coalesce(consented, '') LIKE '%"promisor"%')
         OR (NOT coalesce(consented, '') LIKE '%"promisee"%' AND CASE
             WHEN promisee IN (SELECT client FROM clients WHERE business_at <= $as_of)
             THEN list_contains($clients, promisee)
                  OR (list_contains($teams, promisor) AND promisee NOT IN (
                      SELECT client FROM client_representatives WHERE business_at <= $as_of))
             ELSE list_contains($teams, promisee) END))
"""
"""The proposal under negotiation or the amendment awaiting consent of each promise whose side still to consent is
one the person may consent for: the promisor team if ``$teams`` holds it; the promisee, when it is a client (a key
that names a client names the client, as in the domain's ``consenting_sides``), if ``$clients`` (those the person
represents) holds it or nobody represents it and the promisor team is theirs, else if ``$teams`` holds it."""

CONSENTS_FOR = """
SELECT (SELECT list(team ORDER BY team) FROM (
            SELECT team FROM team_members_as_of($as_of) WHERE person = $me AND lead
            UNION SELECT team FROM consent_holders_as_of($as_of) WHERE person = $me)),
       (SELECT list(DISTINCT client ORDER BY client) FROM client_representatives
            WHERE person = $me AND business_at <= $as_of)
"""
"""The teams a person may consent for (those they lead and those whose lead named them) and the clients they
represent, council or not (the permission table asks the same of everyone)."""


def awaiting_answer(con: duckdb.DuckDBPyConnection, person: str, as_of: datetime, limit: int,
                    offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many proposals and pending amendments wait for ``person``'s consent, and ``limit`` of them after
    ``offset``, by key, each with ``why`` in words."""
    teams, clients = con.execute(CONSENTS_FOR, {"as_of": as_of, "me": person}).fetchone() or (None, None)
    if not teams and not clients:
        return 0, []  # someone who may consent for no side (most people): nothing to look for
    total, rows = paged(con, AWAITING, "promise", {"as_of": as_of, "teams": teams or [], "clients": clients or []},
                        limit, offset)
    for row in rows:
        row["why"] = "your agreement is asked" if row["status"] == "proposed" else "an amendment awaits your acceptance"
    return total, rows
