"""The moments of every arm × metric of an experiment, read from the views in one SQL aggregate.

Raw observations are summed by DuckDB (count, mean, Welford variance and co-moment) in store order,
so the figures do not depend on how the views file happens to lay out or split the rows; each divided
first by a power of two at or above the metric's largest magnitude, so no sum can overflow and the
division itself is exact; imported arm summaries are turned into moments and merged in.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from projections.experiment_stats.sufficient import Moments, from_sums

Data = dict[tuple[str, str], Moments]

RAW_MOMENTS = """
WITH o AS (
    SELECT position, arm, coalesce(metric, $primary) AS metric, value, covariate FROM observations
    WHERE experiment = $key AND business_at <= $as_of
), s AS (
    SELECT metric,
        CASE WHEN max(abs(value)) > 0 THEN pow(2, least(ceil(log2(max(abs(value)))), 1023)) ELSE 1 END AS sc,
        CASE WHEN max(abs(covariate)) > 0 THEN pow(2, least(ceil(log2(max(abs(covariate)))), 1023)) ELSE 1 END
            AS xsc
    FROM o GROUP BY metric
)
SELECT o.arm, o.metric, count(*), avg(o.value / s.sc ORDER BY o.position),
    var_pop(o.value / s.sc ORDER BY o.position) * count(*), any_value(s.sc), count(o.covariate),
    avg(o.covariate / s.xsc ORDER BY o.position), var_pop(o.covariate / s.xsc ORDER BY o.position) * count(o.covariate),
    covar_pop(o.value / s.sc, o.covariate / s.xsc ORDER BY o.position) * count(o.covariate), any_value(s.xsc)
FROM o JOIN s USING (metric) GROUP BY o.arm, o.metric
"""

SUMMARIES = """
SELECT arm, coalesce(metric, $primary), n, sum, sum_squares, covariate_sum, covariate_sum_squares, cross_sum
FROM arm_summaries WHERE experiment = $key AND business_at <= $as_of ORDER BY position
"""


def moments(con: duckdb.DuckDBPyConnection, key: str, primary: str, as_of: datetime) -> Data:
    params = {"key": key, "primary": primary, "as_of": as_of}
    data: Data = {}
    for arm, metric, n, mean, m2, sc, x_n, x_mean, x_m2, c_xy, xsc in con.execute(RAW_MOMENTS, params).fetchall():
        data[(arm, metric)] = Moments(
            n=n, mean=mean, m2=m2 or 0.0, scale=sc, x_n=x_n, x_mean=x_mean or 0.0, x_m2=x_m2 or 0.0,
            c_xy=c_xy or 0.0, x_scale=xsc,
        )
    for arm, metric, n, total, squares, x_sum, x_squares, cross in con.execute(SUMMARIES, params).fetchall():
        summary = from_sums(n, total, squares, x_sum, x_squares, cross)
        data[(arm, metric)] = data[(arm, metric)].merge(summary) if (arm, metric) in data else summary
    return data


def lower_is_better(con: duckdb.DuckDBPyConnection, as_of: datetime) -> frozenset[str]:
    rows = con.execute(
        "SELECT metric FROM metrics WHERE direction = 'lower_is_better' AND business_at <= ?", [as_of]
    ).fetchall()
    return frozenset(metric for (metric,) in rows)
