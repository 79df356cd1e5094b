"""Where a proven solution spread (docs/brief.md §11): each adoption with its measured effect on the adopting team.

The effect compares the adopting team's metric in the 28 days before the adoption, [at − 28 d, at), with the
28 days from it, [at, at + 28 d), read up to the as-of time, by the project's one Welch test (the experiment
headline's, ``experiment_stats.analysis.headline``): ``abs_diff`` is after − before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb

from projections.experiment_stats.analysis import arm_rows, headline
from projections.experiment_stats.config import Plan
from projections.experiment_stats.sufficient import from_values
from projections.timeline import iso

WINDOW = timedelta(days=28)
MIN_READINGS = 2
NUMBERS = ("before_mean", "after_mean", "abs_diff", "p_value")

ADOPTIONS = """
SELECT a.team, a.metric, a.business_at, m.name, m.unit, m.direction FROM adoptions a
LEFT JOIN (SELECT metric, arg_max(name, business_at) AS name, arg_max(unit, business_at) AS unit,
                  arg_max(direction, business_at) AS direction FROM metrics GROUP BY metric) m USING (metric)
WHERE a.experiment = ? AND a.business_at <= ? ORDER BY a.business_at, a.position
"""

WINDOW_READINGS = """
SELECT value FROM readings WHERE metric = ? AND business_at >= ? AND business_at < ? AND business_at <= ?
ORDER BY business_at, position
"""


def effect(before: list[float], after: list[float]) -> dict[str, Any]:
    """``{before_mean, after_mean, abs_diff, p_value, n_before, n_after, because}``: the numbers null, and
    ``because`` saying why, until both windows hold two readings (and ``p_value`` while neither varies)."""
    found: dict[str, Any] = {**dict.fromkeys(NUMBERS), "n_before": len(before), "n_after": len(after),
                             "because": None}
    if len(before) < MIN_READINGS or len(after) < MIN_READINGS:
        found["because"] = (f"each window needs {MIN_READINGS} readings: the 28 days before hold {len(before)}, "
                            f"the 28 days after {len(after)}")
        return found
    plan = Plan(metric="metric", arms=("before", "after"))
    data = {("before", "metric"): from_values(before), ("after", "metric"): from_values(after)}
    windows = arm_rows(plan, data)
    welch = headline(plan, data)
    found.update(before_mean=windows[0]["mean"], after_mean=windows[1]["mean"], abs_diff=welch["abs_diff"],
                 p_value=welch["p_value"])
    if welch["p_value"] is None:
        found["because"] = "the readings do not vary in either window: no test is possible"
    return found


def _window(con: duckdb.DuckDBPyConnection, metric: str, start: datetime, end: datetime,
            as_of: datetime) -> list[float]:
    return [value for (value,) in con.execute(WINDOW_READINGS, [metric, start, end, as_of]).fetchall()]


def adoptions(con: duckdb.DuckDBPyConnection, experiment: str, as_of: datetime) -> list[dict[str, Any]]:
    """``[{team, at, metric, metric_name, unit, direction, effect}]`` of ``experiment`` as of ``as_of``, oldest
    first."""
    found = []
    for team, metric, at, name, unit, direction in con.execute(ADOPTIONS, [experiment, as_of]).fetchall():
        before = _window(con, metric, at - WINDOW, at, as_of)
        after = _window(con, metric, at, at + WINDOW, as_of)
        found.append({"team": team, "at": iso(at), "metric": metric, "metric_name": name, "unit": unit,
                      "direction": direction, "effect": effect(before, after)})
    return found


PROVEN = """
SELECT e.experiment, e.team, e.hypothesis, x.business_at AS concluded_at,
    list(a.team ORDER BY a.business_at, a.team) FILTER (a.team IS NOT NULL) AS adopted_by
FROM experiments e
JOIN experiment_events x ON x.experiment = e.experiment AND x.event = 'Concluded' AND x.decision = 'adopt'
LEFT JOIN adoptions a ON a.experiment = e.experiment AND a.business_at <= $as_of
WHERE x.business_at <= $as_of
GROUP BY ALL ORDER BY x.business_at, e.experiment
"""


def proven_solutions(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[dict[str, Any]]:
    """Every experiment concluded ``adopt`` as of ``as_of``: ``[{experiment, team, hypothesis, concluded_at,
    adopted_by, teams_running}]`` (``teams_running``: the team that ran it and every team that adopted it)."""
    rows = con.execute(PROVEN, {"as_of": as_of}).fetchall()
    return [{"experiment": key, "team": team, "hypothesis": hypothesis, "concluded_at": iso(at),
             "adopted_by": list(adopted or []), "teams_running": 1 + len(adopted or [])}
            for key, team, hypothesis, at, adopted in rows]
