"""``negotiation_waiting`` (docs/brief.md §9): a proposal, counter-proposal or amendment unanswered for 2 days.

An episode is one proposal on the table (the promise's history row that put it there, by version). It is raised
2 days after the proposal, by time alone, if nothing answered it by then, and cleared by the first later event
of the promise that is not a mere ``Consented`` (agreed, amended, countered, declined, withdrawn or retired):
one side's consent leaves the terms waiting for the other (docs/brief.md §10). One statement for the company.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from projections.signals.model import Signal

KIND = "negotiation_waiting"
WAIT = timedelta(days=2)
NAMES = {"Proposed": "proposal", "CounterProposed": "counter_proposal", "AmendmentProposed": "amendment"}

WAITING = """
WITH h AS (
    SELECT promise, version, event, business_at, promisor, promisee, consented FROM promise_history
    WHERE business_at <= $as_of
), p AS (
    SELECT promise, version, event, business_at FROM h
    WHERE event IN ('Proposed', 'CounterProposed', 'AmendmentProposed')
), e AS (
    SELECT p.promise, p.version, min(h.version) AS next_version, arg_min(h.business_at, h.version) AS ended_at
    FROM p JOIN h ON h.promise = p.promise AND h.version > p.version AND h.event <> 'Consented'
    GROUP BY p.promise, p.version
), s AS (
    SELECT p.promise, p.version, p.event, p.business_at, e.ended_at, arg_max(h.promisor, h.version) AS promisor,
        arg_max(h.promisee, h.version) AS promisee, arg_max(h.consented, h.version) AS consented
    FROM p LEFT JOIN e ON e.promise = p.promise AND e.version = p.version
    JOIN h ON h.promise = p.promise AND h.version >= p.version
        AND (e.next_version IS NULL OR h.version < e.next_version)
    WHERE e.ended_at IS NULL OR e.ended_at > p.business_at + $wait
    GROUP BY ALL
)
SELECT s.promise, s.version, s.event, s.business_at, s.ended_at, s.promisor, s.promisee,
    NOT coalesce(s.consented, '') LIKE '%"promisor"%', NOT coalesce(s.consented, '') LIKE '%"promisee"%',
    t.team IS NOT NULL
FROM s
LEFT JOIN (SELECT DISTINCT team FROM teams WHERE business_at <= $as_of) t ON t.team = s.promisee
ORDER BY s.promise, s.version
"""


def proposals(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    """Every proposal on the table by ``as_of`` that waits for an answer, as the signal it is or becomes once
    ``WAIT`` has passed unanswered (raised then, possibly after ``as_of``): the facts alone decide it."""
    found = []
    for promise, version, event, proposed_at, ended_at, promisor, promisee, by_promisor, by_promisee, to_team in \
            con.execute(WAITING, {"as_of": as_of, "wait": WAIT}).fetchall():
        awaiting = [party for party, waits in ((promisor, by_promisor), (promisee, by_promisee)) if waits]
        if not awaiting:
            continue
        teams = {promisor, *([promisee] if to_team else [])}
        # the side asked: the promisee's when both still have to consent (the proposal came from the promisor)
        asked = awaiting[-1] if awaiting[-1] in teams else awaiting[0] if awaiting[0] in teams else promisor
        found.append(Signal(
            KIND, "promise", promise, str(version), asked, None if to_team else promisee, proposed_at + WAIT,
            {"promise": promise, "version": version, "proposal": NAMES[event], "awaiting": awaiting},
            f"/promises/{promise}", ended_at, frozenset(teams - {asked}),
        ))
    return found


def waiting(found: list[Signal], as_of: datetime) -> list[Signal]:
    """Of ``proposals``, those unanswered for ``WAIT`` by ``as_of``."""
    return [s for s in found if s.raised_at <= as_of]


def negotiation_waiting(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    return waiting(proposals(con, as_of), as_of)
