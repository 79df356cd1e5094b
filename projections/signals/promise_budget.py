"""``promise_budget_exhausted`` (docs/brief.md §9): a promise with an objective missed more of its window's periods
than the objective allows (``left < 0`` in its health).

The budget changes only when a period ends (the window moves on) or the terms change (an objective agreed or
amended), so one statement judges every promise at each of those moments: the window of the 13 periods before
the one containing the moment, against the objective in force then. An episode is a run of exhausted moments:
raised at its first (a period's end, or the amendment that tightened the objective), cleared at the first moment
after it with budget left again, or when the promise is retired. Its episode key is the period it was raised in.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from projections.promise_health import WINDOW
from projections.signals.model import Signal
from projections.signals.promise_parties import parties, promise_signal
from projections.timeline import moment_of

KIND = "promise_budget_exhausted"

EXHAUSTED = f"""
WITH b AS (SELECT * FROM promise_periods_as_of($as_of)),
c AS (SELECT promise, period_start, kept FROM compliance_as_of($as_of, $as_of) WHERE kept IS NOT NULL),
moments AS (
    SELECT promise, unnest(generate_series(first_start + step, date_trunc(period, $as_of::TIMESTAMP), step))
        AS moment FROM b
    UNION
    SELECT h.promise, h.business_at FROM promise_history h JOIN b USING (promise)
    WHERE h.event IN ('Agreed', 'Amended') AND h.business_at <= $as_of
),
judged AS (
    SELECT m.promise, m.moment, date_trunc(b.period, m.moment) AS current_start, b.step, b.retired_at, h.objective
    FROM moments m JOIN b USING (promise)
    ASOF JOIN promise_history h ON h.promise = m.promise AND h.business_at <= m.moment
    WHERE b.retired_at IS NULL OR m.moment < b.retired_at
),
counted AS (
    SELECT j.promise, j.moment, j.current_start, j.retired_at, j.objective,
        count(c.kept) AS periods, count(*) FILTER (NOT c.kept) AS misses
    FROM judged j LEFT JOIN c ON c.promise = j.promise AND c.period_start < j.current_start
        AND c.period_start >= j.current_start - {WINDOW} * j.step
    GROUP BY ALL
),
flagged AS (
    SELECT *, allowed_misses(objective, periods) AS allowed,
        coalesce(misses > allowed_misses(objective, periods), false) AS exhausted
    FROM counted
),
runs AS (
    SELECT *, lag(exhausted, 1, false) OVER w AS before,
        min(moment) FILTER (NOT exhausted) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS recovered
    FROM flagged WINDOW w AS (PARTITION BY promise ORDER BY moment)
)
SELECT promise, current_start, moment AS raised_at, coalesce(recovered, retired_at) AS cleared_at,
    objective, periods, misses, allowed
FROM runs WHERE exhausted AND NOT before
"""
"""Each run of moments at which a promise's budget was exhausted, with the numbers it was raised on."""


def promises_budget_exhausted(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    when = moment_of(as_of)
    party = parties(con, when)
    return [
        promise_signal(KIND, promise, party[promise], start, raised,
                       cleared if cleared is not None and cleared <= when else None,
                       {"objective": objective, "periods": periods, "misses": misses, "allowed_misses": allowed,
                        "left": allowed - misses})
        for promise, start, raised, cleared, objective, periods, misses, allowed
        in con.execute(EXHAUSTED, {"as_of": when}).fetchall()
    ]
