"""The cumulative effect over time (GrowthBook's "results over time") of the comparison a recommendation
rests on: the whole analysis re-run on everything observed up to the end of each day (each ISO week for
runs longer than ``DAYS``, each month past ``WEEKS`` weeks), so the last point is the page's headline.

Each point reads the moments the way the experiment itself does (``data.moments`` as of that moment),
so raw observations and arm summaries count alike and no second statistics path can drift.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.data import moments
from projections.timeline import iso

DAYS, WEEKS = 45, 104
POINT = ("abs_diff", "abs_ci_low", "abs_ci_high", "lift", "lift_ci_low", "lift_ci_high", "p_value", "chance_to_win")

SPAN = """
SELECT min(business_at), max(business_at) FROM (
    SELECT business_at FROM observations WHERE experiment = $key AND business_at <= $as_of
    UNION ALL SELECT business_at FROM arm_summaries WHERE experiment = $key AND business_at <= $as_of)
"""
CUTS = """
SELECT date_trunc($unit, business_at) AS period, max(business_at) FROM (
    SELECT business_at FROM observations WHERE experiment = $key AND business_at <= $as_of
    UNION ALL SELECT business_at FROM arm_summaries WHERE experiment = $key AND business_at <= $as_of)
GROUP BY period ORDER BY period
"""


def _unit(first: datetime, last: datetime) -> str:
    days = (last - first).days
    return "day" if days <= DAYS else "week" if days <= 7 * WEEKS else "month"


def series(con: duckdb.DuckDBPyConnection, key: str, plan: Plan, status: str, as_of: datetime,
           basis: dict[str, Any] | None) -> dict[str, Any] | None:
    """{arm, metric, unit, points: [{period_start, through, n_control, n_treatment, abs_diff, …}]} or None
    (no comparison to follow, or nothing observed yet)."""
    if basis is None:
        return None
    params: dict[str, Any] = {"key": key, "as_of": as_of}
    first, last = con.execute(SPAN, params).fetchone() or (None, None)
    if first is None or last is None:
        return None
    unit = _unit(first, last)
    points = []
    for period, through in con.execute(CUTS, {**params, "unit": unit}).fetchall():
        result = analyse(plan, moments(con, key, plan.metric, through), status)
        row = next((c for c in result["comparisons"]
                    if c["arm"] == basis["arm"] and c["metric"] == basis["metric"]), None)
        if row is None:
            continue
        points.append({"period_start": period.date().isoformat(), "through": iso(through),
                       "n_control": row["n_control"], "n_treatment": row["n_treatment"],
                       **{name: row[name] for name in POINT}})
    return {"arm": basis["arm"], "metric": basis["metric"], "unit": unit, "points": points}
