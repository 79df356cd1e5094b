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
                  arg_max(direction, business_at) AS direction FROM metrics WHERE business_at <= $as_of
           GROUP BY metric) m USING (metric)
WHERE a.experiment = $experiment AND a.business_at <= $as_of ORDER BY a.business_at, a.position
"""
"""The adoptions as of T, each with its metric as defined as of T (never a later renaming)."""

WINDOWS = f"""
SELECT a.team, list(r.value ORDER BY r.business_at, r.position) FILTER (r.business_at < a.business_at),
       list(r.value ORDER BY r.business_at, r.position) FILTER (r.business_at >= a.business_at)
FROM adoptions a JOIN readings r ON r.metric = a.metric
    AND r.business_at >= a.business_at - INTERVAL {WINDOW.days} DAY
    AND r.business_at < a.business_at + INTERVAL {WINDOW.days} DAY
    AND r.business_at <= $as_of
WHERE a.experiment = $experiment AND a.business_at <= $as_of GROUP BY a.team
"""
"""Every adoption's readings in the 28 days before and after it (``WINDOW``), read as of T: one statement."""


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


def adoptions(con: duckdb.DuckDBPyConnection, experiment: str, as_of: datetime) -> list[dict[str, Any]]:
    """``[{team, at, metric, metric_name, unit, direction, effect}]`` of ``experiment`` as of ``as_of``, oldest
    first."""
    asked = {"experiment": experiment, "as_of": as_of}
    windows = {team: (before or [], after or []) for team, before, after in con.execute(WINDOWS, asked).fetchall()}
    found = []
    for team, metric, at, name, unit, direction in con.execute(ADOPTIONS, asked).fetchall():
        before, after = windows.get(team, ([], []))
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
