"""A promise's health (docs/brief.md §9): the current period on track or at risk, attainment over the last 13
calendar periods, the objective's budget of misses, and misses in a row; one SQL table macro over the one
compliance query (``compliance_as_of``), for one promise or the whole company at once.

Rules: the window is the ``WINDOW`` calendar periods before the one containing the moment shown (``now``: the
as-of time, or the clock's now), from the first period counted on; periods without a reading are left out of
``periods`` and counted in ``no_data``; ``allowed_misses = floor((1 - objective) × periods)``,
``left = allowed_misses - misses``, exhausted when ``left < 0``. ``missed_in_a_row``: the completed periods of the
window with a reading missed since the latest kept one. Only an agreed promise has a health. Only the window's
periods are computed, so a health costs the same after years of readings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.timeline import iso_date

WINDOW = 13
"""How many calendar periods before the current one attainment and the budget look at."""

EPSILON = 1e-9
"""(1 - 0.9) × 10 is 0.9999999999999998 in binary floating point: floor it as the 1 it means."""

BUDGET_MACRO = f"""
CREATE OR REPLACE MACRO allowed_misses(objective, periods) AS
CAST(floor((1 - objective) * periods + {EPSILON}) AS BIGINT)
"""
"""How many of ``periods`` an ``objective`` lets a promise miss (null without an objective)."""

HEALTH_MACRO = f"""
CREATE OR REPLACE MACRO promise_health_as_of(as_of, now) AS TABLE
WITH p AS (
    SELECT s.promise, s.objective, s.target, b.step, b.first_start,
        date_trunc(s.period, now) AS current_start, date_trunc(s.period, now) - {WINDOW} * b.step AS window_start
    FROM promise_state_as_of(as_of) s JOIN promise_periods_as_of(as_of) b USING (promise)
    WHERE s.status = 'agreed'
),
c AS (
    SELECT c.*, max(CASE WHEN c.kept THEN c.period_start END) OVER (PARTITION BY c.promise) AS last_kept
    FROM compliance_as_of(as_of, now := now, recent := {WINDOW}) c WHERE c.promise IN (SELECT promise FROM p)
),
counted AS (
    SELECT p.promise, p.objective, p.current_start, p.current_start + p.step AS current_end,
        -- the calendar periods of the window from the first period counted on
        CASE WHEN p.step = INTERVAL 1 MONTH
             THEN datediff('month', greatest(p.window_start, p.first_start), p.current_start)
             ELSE datediff('day', greatest(p.window_start, p.first_start), p.current_start)
                  // (CASE WHEN p.step = INTERVAL 7 DAY THEN 7 ELSE 1 END) END AS calendar_periods,
        count(c.kept) FILTER (c.period_start >= p.window_start AND c.period_start < p.current_start) AS periods,
        count(*) FILTER (c.kept AND c.period_start >= p.window_start AND c.period_start < p.current_start) AS kept,
        count(*) FILTER (NOT c.kept AND c.period_start > coalesce(c.last_kept, '-infinity'::TIMESTAMP))
            AS missed_in_a_row,
        coalesce(any_value(c.readings) FILTER (c.period_start = p.current_start), 0) AS readings,
        any_value(c.value) FILTER (c.period_start = p.current_start) AS value,
        coalesce(any_value(c.target) FILTER (c.period_start = p.current_start), p.target) AS target,
        any_value(c.direction) FILTER (c.period_start = p.current_start) AS direction
    FROM p LEFT JOIN c USING (promise)
    GROUP BY p.promise, p.objective, p.target, p.step, p.first_start, p.current_start, p.window_start
)
SELECT promise, current_start, current_end, readings, value, target,
    CASE WHEN readings = 0 THEN 'no_data'
         WHEN period_at_risk(readings, target_missed(value, target, direction), now, current_start, current_end)
             THEN 'at_risk'
         ELSE 'on_track' END AS status,
    periods, kept, greatest(calendar_periods, 0) - periods AS no_data, missed_in_a_row, objective,
    allowed_misses(objective, periods) AS allowed_misses, periods - kept AS misses
FROM counted
"""


def install(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(BUDGET_MACRO)
    con.execute(HEALTH_MACRO)


def health(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The contract's shape of one row of ``promise_health_as_of`` (None: the promise is not agreed)."""
    if row is None:
        return None
    budget = None if row["objective"] is None else {
        "allowed_misses": row["allowed_misses"], "misses": row["misses"],
        "left": row["allowed_misses"] - row["misses"]}
    return {
        "current": {"period_start": iso_date(row["current_start"]), "readings": row["readings"],
                    "value": row["value"], "target": row["target"], "status": row["status"]},
        "attainment": {"periods": row["periods"], "kept": row["kept"],
                       "rate": row["kept"] / row["periods"] if row["periods"] else None, "no_data": row["no_data"]},
        "objective": row["objective"],
        "budget": budget,
        "missed_in_a_row": row["missed_in_a_row"],
    }


def health_of(con: duckdb.DuckDBPyConnection, promises: list[str], as_of: datetime,
              now: datetime) -> dict[str, dict[str, Any] | None]:
    """Each promise's health as of ``as_of`` seen at ``now`` (None when not agreed), in one statement."""
    cursor = con.execute("SELECT * FROM promise_health_as_of($as_of, $now) WHERE promise IN (SELECT unnest($keys))",
                         {"as_of": as_of, "now": now, "keys": promises})
    names = [d[0] for d in cursor.description]
    found = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    return {key: health(found.get(key)) for key in promises}
