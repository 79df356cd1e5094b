"""The ``experiment_outcomes`` table: one row per experiment × arm × metric, for analysts' SQL.

Each row repeats the experiment's §4 headline and verdict (recommendation, SRM, power) beside
that arm's numbers on that metric and, for a treatment arm, its comparison with the control, that
comparison's verdict and whether the recommendation rests on it (the comparison the pages lead with).
"""

from __future__ import annotations

from typing import Any

import duckdb

from projections.experiments import experiments
from projections.timeline import FOREVER

HEADLINE = (("experiment", "string"), ("status", "string"), ("design", "string"), ("metric", "string"),
            ("team", "string"), ("abs_diff", "float64"), ("lift", "float64"), ("ci_low", "float64"),
            ("ci_high", "float64"), ("p_value", "float64"), ("decision", "string"))
ARMS = tuple((f"{arm}_{stat}", "int64" if stat == "n" else "float64")
             for arm in ("control", "treatment") for stat in ("n", "mean", "std"))
ROW = (("arm", "string"), ("arm_metric", "string"), ("arm_role", "string"), ("arm_n", "int64"),
       ("arm_mean", "float64"), ("arm_std", "float64"))
COMPARISON = ("abs_diff", "abs_ci_low", "abs_ci_high", "p_value", "lift", "lift_ci_low", "lift_ci_high",
              "lift_p_value", "p_adjusted", "chance_to_win", "cuped_theta", "variance_reduction")
VERDICT = (("risk_control", "float64"), ("risk_treatment", "float64"), ("srm_p_value", "float64"),
           ("srm_mismatch", "bool_"), ("n_per_arm_needed", "int64"), ("achieved_power", "float64"),
           ("recommendation", "string"), ("because", "string"))
STORY = (("vs_control_verdict", "string"), ("recommendation_basis", "bool_"))  # what the pages lead with
COLUMNS = HEADLINE + ARMS + ROW + tuple((f"vs_control_{c}", "float64") for c in COMPARISON) + VERDICT + STORY


def _rows(outcome: dict[str, Any]) -> list[dict[str, Any]]:
    base = {name: outcome[name] for name, _ in HEADLINE}
    arms = {a["arm"]: a for a in outcome["arms"]}
    for i, name in enumerate(("control", "treatment")):
        arm = outcome["arms"][i] if i < len(outcome["arms"]) else {"n": 0, "mean": None, "std": None}
        base.update({f"{name}_n": arm["n"], f"{name}_mean": arm["mean"], f"{name}_std": arm["std"]})
    base.update(srm_p_value=outcome["srm"]["p_value"], srm_mismatch=outcome["srm"]["mismatch"],
                n_per_arm_needed=outcome["power"]["n_per_arm_needed"], achieved_power=outcome["power"]["achieved"],
                recommendation=outcome["recommendation"], because=outcome["because"])
    rows = []
    metrics = [outcome["metric"], *sorted({c["metric"] for c in outcome["comparisons"]} - {outcome["metric"]})]
    control = outcome["plan"]["arms"][0]
    basis = (outcome["basis"] or {}).get("arm"), (outcome["basis"] or {}).get("metric")
    for metric in metrics:
        compared: dict[str, dict[str, Any]] = {c["arm"]: c for c in outcome["comparisons"] if c["metric"] == metric}
        for arm in outcome["plan"]["arms"]:
            c: dict[str, Any] = compared.get(arm, {})
            stats: dict[str, Any] = arms.get(arm, {}) if metric == outcome["metric"] else {}
            first: dict[str, Any] = next(iter(compared.values()), {})
            n_control = first.get("n_control")
            risk = c.get("risk") or {}
            rows.append({
                **base, "arm": arm, "arm_metric": metric, "arm_role": "control" if arm == control else c.get("role"),
                "arm_n": stats.get("n", n_control if arm == control else c.get("n_treatment")),
                "arm_mean": stats.get("mean"),
                "arm_std": stats.get("std"), **{f"vs_control_{k}": c.get(k) for k in COMPARISON},
                "risk_control": risk.get("control"), "risk_treatment": risk.get("treatment"),
                "vs_control_verdict": c.get("verdict"), "recommendation_basis": basis == (arm, metric),
            })
    return rows


def materialise(con: duckdb.DuckDBPyConnection) -> None:
    import pyarrow as pa

    from projections.arrow_columns import column

    flat = [row for outcome in experiments(con, FOREVER) for row in _rows(outcome)]
    con.register("outcome_rows", pa.table({name: column([row.get(name) for row in flat], getattr(pa, kind)())
                                           for name, kind in COLUMNS}))
    con.execute("CREATE OR REPLACE TABLE experiment_outcomes AS SELECT * FROM outcome_rows")
    con.unregister("outcome_rows")
