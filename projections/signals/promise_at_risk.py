"""``promise_at_risk`` (docs/brief.md §9): the current period's value so far misses the target with at least half of
the period gone and at least 3 readings (the rule ``period_at_risk`` of ``projections.compliance``).

One statement for the whole company: each period's readings in time order give the running mean and count; the
rule holds from a reading (or from the half-period moment, whichever is later) until the next reading or the
period's end. Raised at the first moment it held (a reading's time, or the half-period moment with no event);
active while it holds at the as-of time; cleared when it stops holding (a reading brings the mean back to the
target, or the period ends). Episodes are looked for in the current period and the one before it (a warning
cleared when its period ended is still listed with the cleared ones for a period; what became of the period is
``promise_missed``'s): a running mean over every reading of every promise's history would cost more than every
other signal together, and the cost stays that of two periods whatever the years of readings.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from projections.signals.model import Signal
from projections.signals.promise_parties import parties, promise_signal
from projections.timeline import moment_of

KIND = "promise_at_risk"
LOOKED_BACK = 1
"""Periods before the current one looked at."""

AT_RISK = f"""
WITH c AS (
    SELECT promise, period_start, period_end, metric, direction, target
    FROM compliance_as_of($as_of, recent := {LOOKED_BACK}) WHERE readings >= 3
),
running AS (
    SELECT c.promise, c.period_start, c.period_end, c.target, c.direction, r.business_at AS read_at,
        count(*) OVER w AS readings, avg(r.value) OVER w AS value,
        lead(r.business_at) OVER w AS next_at
    FROM c JOIN readings r ON r.metric = c.metric AND r.business_at >= c.period_start
        AND r.business_at < c.period_end AND r.business_at <= $as_of
    WINDOW w AS (PARTITION BY c.promise, c.period_start ORDER BY r.business_at, r.position
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
held AS (
    SELECT *, greatest(read_at, period_start + (period_end - period_start) / 2) AS held_from,
        coalesce(next_at, period_end) AS held_until
    FROM running
)
SELECT promise, period_start, min(held_from) AS raised_at,
    bool_or(held_until > $as_of) AS active, max(held_until) AS cleared_at,
    any_value(target) AS target, arg_max(value, held_from) AS value, arg_max(readings, held_from) AS readings
FROM held
WHERE held_from < held_until AND held_from <= $as_of
    AND period_at_risk(readings, target_missed(value, target, direction), held_from, period_start, period_end)
GROUP BY promise, period_start
"""
"""Per promise and period: when the rule first held, whether it holds at the as-of time, when it last stopped
holding, and the state it was last judged on."""


def promises_at_risk(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    when = moment_of(as_of)
    party = parties(con, when)
    return [
        promise_signal(KIND, promise, party[promise], start, raised, None if active else cleared,
                       {"target": target, "value": value, "readings": readings})
        for promise, start, raised, active, cleared, target, value, readings
        in con.execute(AT_RISK, {"as_of": when}).fetchall()
    ]
