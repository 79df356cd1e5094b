"""``promise_budget_exhausted`` (docs/brief.md §9): a promise with an objective missed more of its window's periods
than the objective allows (``left < 0`` in its health).

The budget changes only when a period ends (the window moves on) or the terms change (an objective agreed or
amended), so one statement judges every promise at each of those moments: the window of the 13 periods before
the one containing the moment, against the objective in force then. An episode is a run of exhausted moments:
raised at its first (a period's end, or the amendment that tightened the objective), cleared at the first moment
after it with budget left again, or when the promise is retired. Its episode key is the period it was raised in.
"""

from __future__ import annotations

from projections.promise_health import WINDOW

KIND = "promise_budget_exhausted"

BUDGET_CTES = f"""
calendar AS (
    SELECT promise, period, unnest(generate_series(first_start, date_trunc(period, $as_of::TIMESTAMP), step))
        AS period_start FROM b
),
windowed AS (
    -- one row per calendar period: the 13 rows before a period are the window of a moment in it
    SELECT k.promise, k.period_start, count(c.kept) OVER w AS periods, count(*) FILTER (NOT c.kept) OVER w AS misses
    FROM calendar k LEFT JOIN c USING (promise, period_start)
    WINDOW w AS (PARTITION BY k.promise ORDER BY k.period_start ROWS BETWEEN {WINDOW} PRECEDING AND 1 PRECEDING)
),
moments AS (
    SELECT k.promise, k.period_start AS moment FROM calendar k JOIN b USING (promise)
    WHERE k.period_start > b.first_start
    UNION
    SELECT h.promise, h.business_at FROM promise_history h JOIN b USING (promise)
    WHERE h.event IN ('Agreed', 'Amended') AND h.business_at <= $as_of
),
judged AS (
    SELECT m.promise, m.moment, date_trunc(b.period, m.moment) AS current_start, b.retired_at, h.objective
    FROM moments m JOIN b USING (promise)
    ASOF JOIN promise_history h ON h.promise = m.promise AND h.business_at <= m.moment
    WHERE b.retired_at IS NULL OR m.moment < b.retired_at
),
counted AS (
    SELECT j.*, coalesce(w.periods, 0) AS periods, coalesce(w.misses, 0) AS misses
    FROM judged j LEFT JOIN windowed w ON w.promise = j.promise AND w.period_start = j.current_start
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
"""
"""Over ``b`` (each promise's calendar) and ``c`` (its completed periods with a reading, ``projections.signals.
promise_outcomes``): the budget judged at every moment it can change, and the runs of exhausted moments."""

EXHAUSTED = f"""
SELECT '{KIND}' AS kind, promise, current_start AS period_start, moment AS raised_at,
    coalesce(recovered, retired_at) AS cleared_at,
    to_json({{'objective': objective, 'periods': periods, 'misses': misses, 'allowed_misses': allowed,
              'left': allowed - misses}}) AS because
FROM runs WHERE exhausted AND NOT before
"""
"""Each run: raised at its first moment, cleared at the first moment after it with budget left (or retirement),
with the numbers it was raised on."""
