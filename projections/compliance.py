"""Promise compliance per period, exactly as docs/brief.md §4 defines it, as one SQL table macro.

``compliance_as_of(T)`` sees only facts with business time <= T, so the materialised
``promise_compliance`` table (T = infinity) and every ``--as-of`` answer share this one query.
Rules: a period's value is the mean of the metric's readings in it; it is kept when the value
meets the target in force at the period's start (>= or <= by the metric's direction); rows run
from the first period starting at or after agreement through the latest period holding a
reading, and stop before the period in which the promise was retired. Periods are UTC
calendar days, ISO weeks and calendar months. An amendment that changes the metric counts from the
next period too: each period is measured with the metric (and its direction) in force at its start.
Rows never run past the end of business time (``domain.business_time``), so one stray far-future
reading in an older store cannot make millions of rows, and a mean never overflows to Infinity.

``compliance_as_of(T, now := N, recent := K)``: a period not over at ``now`` (the one containing it; ``now``
defaults to T) is ``in_progress`` and its ``kept`` is null, never "missed" (docs/brief.md §9): its value is the mean
so far. Pass the clock's now with T = FOREVER (the views' "everything"). With ``recent``, only the K periods before
the one containing ``now`` and those after are computed: what a window of the latest periods needs, without reading
a promise's whole history. Each row also carries what the promise's health and signals read: its end, the metric
and direction it is measured by, and how many readings it holds.
"""

from __future__ import annotations

import duckdb

from domain.business_time import BUSINESS_TIME_MAX
from projections.timeline import FOREVER_SQL

LAST_INSTANT = f"TIMESTAMP '{BUSINESS_TIME_MAX:%Y-%m-%d %H:%M:%S}' - INTERVAL 1 MICROSECOND"
RULE_MACROS = (
    """
    CREATE OR REPLACE MACRO target_missed(value, target, direction) AS
    CASE WHEN direction = 'higher_is_better' THEN value < target ELSE value > target END
    """,
    """
    CREATE OR REPLACE MACRO period_at_risk(readings, missed, moment, period_start, period_end) AS
    readings >= 3 AND missed AND moment >= period_start + (period_end - period_start) / 2
    """,
)
"""A value misses its target (by the metric's direction); a period is at risk (docs/brief.md §9's
``promise_at_risk``) at ``moment`` when its value so far misses with at least 3 readings and half of it gone."""

PERIODS_MACRO = """
CREATE OR REPLACE MACRO promise_periods_as_of(as_of) AS TABLE
WITH hist AS (
    SELECT * FROM promise_history WHERE business_at <= as_of
),
latest AS (SELECT * FROM promise_state_as_of(as_of)),
agreed AS (SELECT promise, min(business_at) AS agreed_at FROM hist WHERE event = 'Agreed' GROUP BY promise),
retired AS (SELECT promise, min(business_at) AS retired_at FROM hist WHERE event = 'Retired' GROUP BY promise),
steps AS (
    SELECT * FROM (VALUES ('day', INTERVAL 1 DAY), ('week', INTERVAL 7 DAY), ('month', INTERVAL 1 MONTH))
        AS s(period, step)
)
SELECT l.promise, l.period, s.step,
    CASE WHEN date_trunc(l.period, a.agreed_at) = a.agreed_at THEN a.agreed_at
         ELSE date_trunc(l.period, a.agreed_at) + s.step END AS first_start,
    date_trunc(l.period, r.retired_at) AS retired_start, r.retired_at
FROM latest l
JOIN steps s USING (period)
JOIN agreed a USING (promise)
LEFT JOIN retired r USING (promise)
"""
"""Each agreed promise's calendar: its period's step, the first period counted (the first starting at or after
agreement) and the start of the period it was retired in (none counted from there)."""

COMPLIANCE_MACRO = """
CREATE OR REPLACE MACRO compliance_as_of(as_of, now := NULL, recent := NULL) AS TABLE
WITH hist AS (
    SELECT * FROM promise_history WHERE business_at <= as_of
),
bounds AS (
    SELECT promise, period, step, retired_start,
        CASE WHEN recent IS NULL THEN first_start
             ELSE greatest(first_start, date_trunc(period, coalesce(now, as_of)) - recent * step) END AS first_start
    FROM promise_periods_as_of(as_of)
),
terms AS (
    SELECT h.promise, h.business_at, h.target, h.metric, m.direction
    FROM hist h JOIN metrics m ON m.metric = h.metric AND m.business_at <= as_of
    WHERE h.event IN ('Agreed', 'Amended')
),
candidate_readings AS (
    SELECT b.promise, r.metric, r.value, r.position,
        -- one constant unit per branch: DuckDB truncates a whole vector at once (a unit read from a
        -- column is parsed again for every reading)
        CASE b.period WHEN 'day' THEN date_trunc('day', r.business_at)
             WHEN 'week' THEN date_trunc('week', r.business_at)
             ELSE date_trunc('month', r.business_at) END AS period_start
    FROM bounds b
    JOIN (SELECT DISTINCT promise, metric FROM terms) used USING (promise)
    JOIN readings r ON r.metric = used.metric AND r.business_at >= b.first_start AND r.business_at <= as_of
),
metric_periods AS (
    -- ordered: same bits every time. Averaged scaled by 2^-64 and scaled back: the same bits as a
    -- plain avg (rounding does not depend on a power-of-two scale; only values below 1e-288 would
    -- differ), but a sum past the largest double (values stored before numbers were bounded to
    -- 1e15) stays finite instead of becoming Infinity. One ordered aggregate, no extra cost.
    SELECT c.promise, c.period_start, c.metric,
        avg(c.value * pow(2.0, -64) ORDER BY c.position) * pow(2.0, 64) AS value, count(*) AS readings
    FROM candidate_readings c
    GROUP BY ALL
),
period_values AS (
    -- each period is measured with the metric in force at its start: aggregated first, so the
    -- as-of join looks up the terms once per period instead of once per reading
    SELECT m.promise, m.period_start, m.value, m.readings
    FROM metric_periods m
    ASOF JOIN terms t ON t.promise = m.promise AND t.business_at <= m.period_start
    WHERE m.metric = t.metric
),
series AS (
    SELECT promise, period_start, period_start + step AS period_end FROM (
        SELECT b.promise, b.retired_start, b.step,
            -- never past the end of business time, whatever an older store holds (no unbounded rows)
            unnest(generate_series(b.first_start, least(max(v.period_start), {LAST_INSTANT}), b.step))
                AS period_start
        FROM bounds b JOIN period_values v USING (promise)
        GROUP BY b.promise, b.first_start, b.step, b.retired_start
    ) WHERE retired_start IS NULL OR period_start < retired_start
)
SELECT s.promise, s.period_start, v.value, t.target,
    CASE WHEN v.value IS NULL OR s.period_end > coalesce(now, as_of) THEN NULL
         ELSE NOT target_missed(v.value, t.target, t.direction) END AS kept,
    s.period_end > coalesce(now, as_of) AS in_progress, s.period_end, t.metric, t.direction,
    coalesce(v.readings, 0) AS readings
FROM series s
ASOF JOIN terms t ON t.promise = s.promise AND t.business_at <= s.period_start
LEFT JOIN period_values v ON v.promise = s.promise AND v.period_start = s.period_start
""".replace("{LAST_INSTANT}", LAST_INSTANT)


def install(con: duckdb.DuckDBPyConnection) -> None:
    for macro in (*RULE_MACROS, PERIODS_MACRO, COMPLIANCE_MACRO):
        con.execute(macro)


def materialise(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE promise_compliance AS "
        f"SELECT * FROM compliance_as_of({FOREVER_SQL}) ORDER BY promise, period_start"
    )
