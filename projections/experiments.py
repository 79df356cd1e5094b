"""Experiment outcomes: §4's Welch headline plus §6's comparisons, SRM, power, recommendation and SPC/ITS.

For ``ab`` the arms are the recorded observations and arm summaries; for ``before_after`` the
treatment is the metric's readings in [start, conclusion) and the control the readings in the window
of equal length just before the start, [start - length, start). A running before/after experiment is
measured up to the as-of time. The statistics live in ``projections.experiment_stats``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.experiment_stats import its, over_time, spc
from projections.experiment_stats.analysis import analyse, arm_rows, headline
from projections.experiment_stats.config import Plan
from projections.experiment_stats.data import Data, lower_is_better, moments
from projections.experiment_stats.sufficient import from_values
from projections.timeline import iso

EXPERIMENT_AS_OF = """
SELECT e.experiment, e.team, e.hypothesis, e.metric, e.design, e.promise, e.plan, e.business_at AS proposed_at,
    (SELECT max(business_at) FROM experiment_events x WHERE x.experiment = e.experiment AND x.event = 'Started'
        AND x.business_at <= $as_of) AS started_at,
    (SELECT max(business_at) FROM experiment_events x WHERE x.experiment = e.experiment AND x.event = 'Concluded'
        AND x.business_at <= $as_of) AS concluded_at,
    (SELECT arg_max(decision, business_at) FROM experiment_events x WHERE x.experiment = e.experiment
        AND x.event = 'Concluded' AND x.business_at <= $as_of) AS decision,
    (SELECT arg_max(learning, business_at) FROM experiment_events x WHERE x.experiment = e.experiment
        AND x.event = 'Concluded' AND x.business_at <= $as_of) AS learning
FROM experiments e WHERE e.business_at <= $as_of
"""

OBSERVATIONAL = ("Before/after is observational, not randomised: the windows differ in time as well as in the "
                 "change, so treat its numbers as evidence to investigate, not proof.")


def _windows(con: duckdb.DuckDBPyConnection, row: dict[str, Any], as_of: datetime
             ) -> tuple[list[tuple[datetime, float]], list[tuple[datetime, float]]]:
    """(baseline, after) readings of a before/after experiment, each in time order."""
    start = row["started_at"]
    if start is None:
        return [], []
    if row["concluded_at"] is not None:
        end, end_inclusive = row["concluded_at"], False
    else:
        latest = con.execute(
            "SELECT max(business_at) FROM readings WHERE metric = ? AND business_at >= ? AND business_at <= ?",
            [row["metric"], start, as_of],
        ).fetchone()
        end, end_inclusive = (latest[0] if latest and latest[0] is not None else start), True
    length = end - start
    after = con.execute(
        "SELECT business_at, value FROM readings WHERE metric = ? AND business_at >= ?"
        f" AND business_at {'<=' if end_inclusive else '<'} ?"
        " AND business_at <= ? ORDER BY business_at, position",
        [row["metric"], start, end, as_of],
    ).fetchall()
    baseline = con.execute(
        "SELECT business_at, value FROM readings WHERE metric = ? AND business_at >= ? AND business_at < ?"
        " AND business_at <= ? ORDER BY business_at, position",
        [row["metric"], start - length, start, as_of],
    ).fetchall()
    return baseline, after


def _before_after(con: duckdb.DuckDBPyConnection, row: dict[str, Any], plan: Plan, as_of: datetime
                  ) -> tuple[Data, dict[str, Any]]:
    baseline, after = _windows(con, row, as_of)
    data: Data = {(plan.arms[0], plan.metric): from_values([v for _, v in baseline]),
                  (plan.arms[1], plan.metric): from_values([v for _, v in after])}
    block, spc_because = spc.chart([v for _, v in baseline], [(iso(at), v) for at, v in after])
    fit, its_because = (its.segmented(baseline + after, row["started_at"]) if row["started_at"]
                        else (None, "the experiment has not started"))
    extra = {
        "observational": True, "note": OBSERVATIONAL,
        "spc": block or {**dict.fromkeys(("center", "mr_bar", "unpl", "lnpl", "mr_upper")), "signals": [],
                         "because": spc_because},
        "its": fit or {**dict.fromkeys(its.FIELDS), "because": its_because},
        "readings": {"baseline": [{"at": iso(at), "value": v} for at, v in baseline],
                     "after": [{"at": iso(at), "value": v} for at, v in after]},
    }
    return data, extra


def outcome(con: duckdb.DuckDBPyConnection, row: dict[str, Any], as_of: datetime,
            lower: frozenset[str], history: bool = False) -> dict[str, Any]:
    status = "concluded" if row["concluded_at"] else "running" if row["started_at"] else "proposed"
    plan = Plan.from_json(row["metric"], row["plan"], lower)
    extra: dict[str, Any] = {}
    if row["design"] == "before_after":
        plan = Plan(**{**plan.__dict__, "arms": plan.arms[:2]})
        data, extra = _before_after(con, row, plan, as_of)
    else:
        data = moments(con, row["experiment"], row["metric"], as_of)
    analysis = analyse(plan, data, status, observational=row["design"] == "before_after")
    if history and row["design"] == "ab":
        extra["over_time"] = over_time.series(con, row["experiment"], plan, status, as_of, analysis["basis"])
    return {
        "experiment": row["experiment"], "status": status, "design": row["design"], "metric": row["metric"],
        "team": row["team"], "hypothesis": row["hypothesis"], "promise": row["promise"],
        "started_at": iso(row["started_at"]), "concluded_at": iso(row["concluded_at"]),
        "arms": arm_rows(plan, data), **headline(plan, data),
        "decision": row["decision"], "learning": row["learning"],
        "plan": {"arms": list(plan.arms), "weights": list(plan.split), "alpha": plan.alpha, "mde": plan.mde,
                 "power": plan.power, "engine": plan.engine, "sequential": plan.sequential, "tuning": plan.tuning,
                 "correction": plan.correction, "guardrails": list(plan.guardrails), "kind": plan.kind,
                 "non_inferiority_margin": plan.non_inferiority_margin},
        **analysis, **extra,
    }


def experiments(con: duckdb.DuckDBPyConnection, as_of: datetime, key: str | None = None, *,
                team: str | None = None, history: bool = False) -> list[dict[str, Any]]:
    """Outcome of each experiment (or one, or a team's) as of ``as_of``; ``history`` adds ``over_time``
    (the cumulative effect by day or week: one analysis per point, so only where it is drawn)."""
    sql = (EXPERIMENT_AS_OF + (" AND e.experiment = $key" if key is not None else "")
           + (" AND e.team = $team" if team is not None else "") + " ORDER BY e.experiment")
    params: dict[str, Any] = {"as_of": as_of}
    if key is not None:
        params["key"] = key
    if team is not None:
        params["team"] = team
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    lower = lower_is_better(con, as_of) if rows else frozenset()
    return [outcome(con, row, as_of, lower, history) for row in rows]
