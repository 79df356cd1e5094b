"""The moments of every arm × metric of an experiment, read from the views in one SQL aggregate.

Raw observations are summed by DuckDB (count, mean, Welford variance and co-moment) in store order,
so the figures do not depend on how the views file happens to lay out or split the rows; each divided
first by a power of two at or above the metric's largest magnitude, so no sum can overflow and the
division itself is exact; imported arm summaries are turned into moments and merged in. The same query grouped by
day, week or month gives the moments of each period, which ``over_time`` adds up into the cumulative effect.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from projections.experiment_stats.sufficient import Moments, from_sums

Data = dict[tuple[str, str], Moments]

RAW_MOMENTS = """
WITH o AS (
    SELECT position, business_at, arm, coalesce(metric, $primary) AS metric, value, covariate FROM observations
    WHERE experiment = $key AND business_at <= $as_of{within}
), s AS (
    SELECT metric,
        CASE WHEN max(abs(value)) > 0 THEN pow(2, least(ceil(log2(max(abs(value)))), 1023)) ELSE 1 END AS sc,
        CASE WHEN max(abs(covariate)) > 0 THEN pow(2, least(ceil(log2(max(abs(covariate)))), 1023)) ELSE 1 END
            AS xsc
    FROM o GROUP BY metric
)
SELECT {period} AS period, max(o.business_at), o.arm, o.metric, count(*), avg(o.value / s.sc ORDER BY o.position),
    var_pop(o.value / s.sc ORDER BY o.position) * count(*), any_value(s.sc), count(o.covariate),
    avg(o.covariate / s.xsc ORDER BY o.position), var_pop(o.covariate / s.xsc ORDER BY o.position) * count(o.covariate),
    covar_pop(o.value / s.sc, o.covariate / s.xsc ORDER BY o.position) * count(o.covariate), any_value(s.xsc)
FROM o JOIN s USING (metric) GROUP BY period, o.arm, o.metric
"""

SUMMARIES = """
SELECT {period} AS period, business_at, arm, coalesce(metric, $primary), n, sum, sum_squares, covariate_sum,
    covariate_sum_squares, cross_sum
FROM arm_summaries WHERE experiment = $key AND business_at <= $as_of{within} ORDER BY position
"""
WHOLE, BY_PERIOD, BY_TIME = "NULL", "date_trunc($unit, business_at)", "business_at"
IN_PERIOD = " AND date_trunc($unit, business_at) = $start"


def _periods(con: duckdb.DuckDBPyConnection, params: dict[str, object], period: str, within: str = ""
             ) -> dict[datetime | None, tuple[datetime, Data]]:
    """{period: (its last business time, its moments)}: raw observations summed by DuckDB, summaries merged in."""
    found: dict[datetime | None, tuple[datetime, Data]] = {}
    raw = con.execute(RAW_MOMENTS.format(period=period.replace("business_at", "o.business_at"), within=within),
                      params).fetchall()
    for key, last, arm, metric, n, mean, m2, sc, x_n, x_mean, x_m2, c_xy, xsc in raw:
        data = found.setdefault(key, (last, {}))[1]
        found[key] = (max(found[key][0], last), data)
        data[(arm, metric)] = Moments(
            n=n, mean=mean, m2=m2 or 0.0, scale=sc, x_n=x_n, x_mean=x_mean or 0.0, x_m2=x_m2 or 0.0,
            c_xy=c_xy or 0.0, x_scale=xsc,
        )
    for key, at, arm, metric, n, total, squares, x_sum, x_squares, cross in con.execute(
            SUMMARIES.format(period=period, within=within), params).fetchall():
        last, data = found.setdefault(key, (at, {}))
        found[key] = (max(last, at), data)
        summary = from_sums(n, total, squares, x_sum, x_squares, cross)
        data[(arm, metric)] = data[(arm, metric)].merge(summary) if (arm, metric) in data else summary
    return found


def moments(con: duckdb.DuckDBPyConnection, key: str, primary: str, as_of: datetime) -> Data:
    whole = _periods(con, {"key": key, "primary": primary, "as_of": as_of}, WHOLE)
    return whole[None][1] if whole else {}


def moments_by_period(con: duckdb.DuckDBPyConnection, key: str, primary: str, as_of: datetime, unit: str
                      ) -> list[tuple[datetime, datetime, Data]]:
    """(period start, its last business time, the moments of that period alone) for each ``unit`` (day, week,
    month) holding data, in time order, from one pass over the observations (``over_time`` adds them up)."""
    found = _periods(con, {"key": key, "primary": primary, "as_of": as_of, "unit": unit}, BY_PERIOD)
    return sorted((start, last, data) for start, (last, data) in found.items() if start is not None)


def moments_at_each_time(con: duckdb.DuckDBPyConnection, key: str, primary: str, start: datetime, unit: str,
                         as_of: datetime) -> list[tuple[datetime, Data]]:
    """(business time, the moments of what was observed at that time alone) for each time with data in the UTC
    ``unit`` (hour, day) starting at ``start``, up to ``as_of``, in time order: where in an hour a signal's
    condition turned (``signals``)."""
    params = {"key": key, "primary": primary, "as_of": as_of, "unit": unit, "start": start}
    found = _periods(con, params, BY_TIME, IN_PERIOD)
    return sorted((at, data) for at, (_, data) in found.items() if at is not None)


def lower_is_better(con: duckdb.DuckDBPyConnection, as_of: datetime) -> frozenset[str]:
    rows = con.execute(
        "SELECT metric FROM metrics WHERE direction = 'lower_is_better' AND business_at <= ?", [as_of]
    ).fetchall()
    return frozenset(metric for (metric,) in rows)
