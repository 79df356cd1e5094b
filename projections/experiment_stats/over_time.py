"""The cumulative effect over time (GrowthBook's "results over time") of the comparison a recommendation
rests on: the whole analysis re-run on everything observed up to the end of each day (each ISO week for
runs longer than ``DAYS``, each month past ``WEEKS`` weeks), so the last point is the page's headline.

The moments of each period come from one pass over the observations (``data.moments_by_period``, the
experiment's own query grouped by period) and are added up (Chan's parallel update), so raw observations
and arm summaries count alike, no second statistics path can drift, and a long run costs one query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.data import Data, moments_by_period
from projections.timeline import iso

DAYS, WEEKS = 45, 104
POINT = ("abs_diff", "abs_ci_low", "abs_ci_high", "lift", "lift_ci_low", "lift_ci_high", "p_value", "chance_to_win")

SPAN = """
SELECT min(business_at), max(business_at) FROM (
    SELECT business_at FROM observations WHERE experiment = $key AND business_at <= $as_of
    UNION ALL SELECT business_at FROM arm_summaries WHERE experiment = $key AND business_at <= $as_of)
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
    points: list[dict[str, Any]] = []
    running: Data = {}
    for period, through, data in moments_by_period(con, key, plan.metric, as_of, unit):
        for cell, m in data.items():
            running[cell] = running[cell].merge(m) if cell in running else m
        result = analyse(plan, dict(running), status)
        row = next((c for c in result["comparisons"]
                    if c["arm"] == basis["arm"] and c["metric"] == basis["metric"]), None)
        if row is None:
            continue
        points.append({"period_start": period.date().isoformat(), "through": iso(through),
                       "n_control": row["n_control"], "n_treatment": row["n_treatment"],
                       **{name: row[name] for name in POINT}})
    return {"arm": basis["arm"], "metric": basis["metric"], "unit": unit, "points": points}
