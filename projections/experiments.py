"""Experiment outcomes: treatment minus control, Welch's t-test and its 95% interval.

For ``ab`` the arms are the recorded observations; for ``before_after`` the treatment is the
metric's readings in [start, conclusion) and the control the readings in the window of equal
length just before the start, [start - length, start).  A running before/after experiment is
measured up to the as-of time.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import duckdb

from projections.timeline import FOREVER, iso

EXPERIMENT_AS_OF = """
SELECT e.experiment, e.team, e.hypothesis, e.metric, e.design, e.promise, e.business_at AS proposed_at,
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


def welch(control: list[float], treatment: list[float]) -> dict[str, float | None]:
    """abs_diff, lift, Welch-Satterthwaite 95% CI and two-sided p-value (None when undefined)."""
    result: dict[str, float | None] = dict.fromkeys(("abs_diff", "lift", "ci_low", "ci_high", "p_value"))
    if not control or not treatment:
        return result
    mean_c = sum(control) / len(control)
    mean_t = sum(treatment) / len(treatment)
    diff = mean_t - mean_c
    result["abs_diff"] = diff
    result["lift"] = diff / mean_c if mean_c != 0 else None
    if len(control) < 2 or len(treatment) < 2:
        return result
    from scipy import stats  # imported here: scipy costs a noticeable part of a CLI start

    var_c = stats.tvar(control) if len(set(control)) > 1 else 0.0
    var_t = stats.tvar(treatment) if len(set(treatment)) > 1 else 0.0
    se2_c, se2_t = var_c / len(control), var_t / len(treatment)
    se = math.sqrt(se2_c + se2_t)
    if se == 0:
        return result
    df = (se2_c + se2_t) ** 2 / (se2_c**2 / (len(control) - 1) + se2_t**2 / (len(treatment) - 1))
    t_crit = float(stats.t.ppf(0.975, df))
    result["ci_low"] = diff - t_crit * se
    result["ci_high"] = diff + t_crit * se
    result["p_value"] = float(2 * stats.t.sf(abs(diff / se), df))
    return result


def _arm(name: str, values: list[float]) -> dict[str, Any]:
    n = len(values)
    mean = sum(values) / n if n else None
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 and mean is not None else None
    return {"arm": name, "n": n, "mean": mean, "std": std}


def _arms(con: duckdb.DuckDBPyConnection, row: dict[str, Any], as_of: datetime) -> dict[str, list[float]]:
    if row["design"] == "ab":
        values: dict[str, list[float]] = {"control": [], "treatment": []}
        for arm, value in con.execute(
            "SELECT arm, value FROM observations WHERE experiment = ? AND business_at <= ? ORDER BY position",
            [row["experiment"], as_of],
        ).fetchall():
            values[arm].append(value)
        return values
    start = row["started_at"]
    if start is None:
        return {"control": [], "treatment": []}
    if row["concluded_at"] is not None:
        end, end_inclusive = row["concluded_at"], False
    else:
        latest = con.execute(
            "SELECT max(business_at) FROM readings WHERE metric = ? AND business_at >= ? AND business_at <= ?",
            [row["metric"], start, as_of],
        ).fetchone()
        end, end_inclusive = (latest[0] if latest and latest[0] is not None else start), True
    length = end - start
    treatment = con.execute(
        "SELECT value FROM readings WHERE metric = ? AND business_at >= ?"
        f" AND business_at {'<=' if end_inclusive else '<'} ?"
        " AND business_at <= ? ORDER BY business_at, position",
        [row["metric"], start, end, as_of],
    ).fetchall()
    control = con.execute(
        "SELECT value FROM readings WHERE metric = ? AND business_at >= ? AND business_at < ? AND business_at <= ?"
        " ORDER BY business_at, position",
        [row["metric"], start - length, start, as_of],
    ).fetchall()
    return {"control": [v for (v,) in control], "treatment": [v for (v,) in treatment]}


def experiments(con: duckdb.DuckDBPyConnection, as_of: datetime, key: str | None = None) -> list[dict[str, Any]]:
    """Outcome of each experiment (or one) as of ``as_of``."""
    sql = EXPERIMENT_AS_OF + (" AND e.experiment = $key" if key is not None else "") + " ORDER BY e.experiment"
    params: dict[str, Any] = {"as_of": as_of}
    if key is not None:
        params["key"] = key
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    outcomes = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        status = "concluded" if row["concluded_at"] else "running" if row["started_at"] else "proposed"
        arms = _arms(con, row, as_of)
        outcomes.append({
            "experiment": row["experiment"],
            "status": status,
            "design": row["design"],
            "metric": row["metric"],
            "team": row["team"],
            "hypothesis": row["hypothesis"],
            "promise": row["promise"],
            "started_at": iso(row["started_at"]),
            "concluded_at": iso(row["concluded_at"]),
            "arms": [_arm(name, arms[name]) for name in ("control", "treatment")],
            **welch(arms["control"], arms["treatment"]),
            "decision": row["decision"],
            "learning": row["learning"],
        })
    return outcomes


def materialise(con: duckdb.DuckDBPyConnection) -> None:
    import pyarrow as pa

    rows = experiments(con, FOREVER)
    flat = [
        {
            **{k: r[k] for k in ("experiment", "status", "design", "metric", "team", "abs_diff", "lift", "ci_low",
                                 "ci_high", "p_value", "decision")},
            **{f"{arm['arm']}_{stat}": arm[stat] for arm in r["arms"] for stat in ("n", "mean", "std")},
        }
        for r in rows
    ]
    schema = pa.schema(
        [(name, pa.string()) for name in ("experiment", "status", "design", "metric", "team")]
        + [(name, pa.float64()) for name in ("abs_diff", "lift", "ci_low", "ci_high", "p_value")]
        + [("decision", pa.string())]
        + [(f"{arm}_{stat}", pa.int64() if stat == "n" else pa.float64())
           for arm in ("control", "treatment") for stat in ("n", "mean", "std")]
    )
    con.register("outcome_rows", pa.Table.from_pylist(flat, schema=schema))
    con.execute("CREATE OR REPLACE TABLE experiment_outcomes AS SELECT * FROM outcome_rows")
    con.unregister("outcome_rows")
