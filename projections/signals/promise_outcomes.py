"""The signals read from every promise's completed periods, ``promise_missed`` and ``promise_budget_exhausted``, in
one statement: both need each period's verdict over a promise's whole history (the one compliance query), which
is most of their cost, so it is computed once for both (each kind's rule is in its own module)."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from projections.signals import promise_budget, promise_missed
from projections.signals.model import Signal
from projections.signals.promise_parties import parties, promise_signal
from projections.timeline import moment_of

LIVE = "compliance_as_of($as_of) WHERE kept IS NOT NULL"
KEPT = "promise_compliance WHERE kept IS NOT NULL AND period_end <= $as_of"
"""The completed periods from the materialised compliance (``compliance.materialise``, as of everything): the same
rows as ``LIVE`` while it is fresh and no fact it reads is dated after the as-of time (``FRESH``)."""
FRESH = """
SELECT NOT derived_stale AND coalesce((SELECT max(business_at) FROM promise_history), $as_of) <= $as_of
    AND coalesce((SELECT max(business_at) FROM readings), $as_of) <= $as_of
    AND coalesce((SELECT max(business_at) FROM metrics), $as_of) <= $as_of
FROM projection_tracking WHERE name = 'ledger'
"""

OUTCOMES = f"""
WITH b AS (SELECT * FROM promise_periods_as_of($as_of)),
c AS MATERIALIZED (
    SELECT promise, period_start, period_end, kept, target, value, readings FROM {{periods}}
),
{promise_budget.BUDGET_CTES}
{promise_missed.MISSED}
UNION ALL
{promise_budget.EXHAUSTED}
"""


def promise_outcomes(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    """Every ``promise_missed`` and ``promise_budget_exhausted`` episode raised by ``as_of``."""
    when = moment_of(as_of)
    party = parties(con, when)
    fresh = con.execute(FRESH, {"as_of": when}).fetchone()
    sql = OUTCOMES.replace("{periods}", KEPT if fresh and fresh[0] else LIVE)
    return [
        promise_signal(kind, promise, party[promise], start, raised,
                       cleared if cleared is not None and cleared <= when else None, json.loads(because))
        for kind, promise, start, raised, cleared, because in con.execute(sql, {"as_of": when}).fetchall()
    ]


def of_kind(kind: str, con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    return [signal for signal in promise_outcomes(con, as_of) if signal.kind == kind]
