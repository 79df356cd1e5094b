"""The whole analysis of one experiment from its plan and the moments of each arm × metric.

Produces the §6 blocks (``comparisons``, ``srm``, ``power``, ``recommendation``, ``because``) and
the §4 headline (the first treatment against the control on the primary metric: plain Welch, 95%).
"""

from __future__ import annotations

import math
from typing import Any

from projections.experiment_stats import frequentist, multiple, srm_power, verdicts
from projections.experiment_stats.compare import compare, estimates, prepared
from projections.experiment_stats.config import Plan
from projections.experiment_stats.recommendation import decide
from projections.experiment_stats.sufficient import Moments, common_scale, unscaled

HEADLINE = ("abs_diff", "lift", "ci_low", "ci_high", "p_value")


def arm_rows(plan: Plan, data: dict[tuple[str, str], Moments]) -> list[dict[str, Any]]:
    """[{arm, n, mean, std}] of the primary metric (sample std, n - 1), in the metric's units."""
    rows = []
    for arm in plan.arms:
        m = data.get((arm, plan.metric), Moments(n=0))
        var = m.variance()
        rows.append({"arm": arm, "n": m.n, "mean": unscaled(m.mean, m.scale) if m.n else None,
                     "std": unscaled(math.sqrt(var), m.scale) if var is not None else None})
    return rows


def headline(plan: Plan, data: dict[tuple[str, str], Moments]) -> dict[str, float | None]:
    """§4: treatment minus control, Welch two-sided, 95% Welch–Satterthwaite interval, lift on the control mean."""
    result: dict[str, float | None] = dict.fromkeys(HEADLINE)
    if len(plan.arms) < 2:
        return result
    empty = Moments(n=0)
    control, treatment = common_scale([data.get((plan.arms[0], plan.metric), empty),
                                       data.get((plan.arms[1], plan.metric), empty)])
    if control.n == 0 or treatment.n == 0:
        return result
    result["abs_diff"] = unscaled(treatment.mean - control.mean, control.scale)
    result["lift"] = (treatment.mean - control.mean) / control.mean if control.mean != 0 else None
    c, t = estimates(control, False), estimates(treatment, False)
    diff = frequentist.absolute(c, t) if c and t else None
    if diff is not None:
        low, high, p = frequentist.two_sided(diff, 0.05)
        result.update(ci_low=unscaled(low, control.scale), ci_high=unscaled(high, control.scale), p_value=p)
    return result


def metrics_of(plan: Plan, data: dict[tuple[str, str], Moments]) -> list[str]:
    others = sorted({metric for _, metric in data} - {plan.metric})
    return [plan.metric, *others]


def analyse(plan: Plan, data: dict[tuple[str, str], Moments], status: str,
            observational: bool = False) -> dict[str, Any]:
    comparisons: list[dict[str, Any]] = []
    for metric in metrics_of(plan, data):
        proportion = plan.kind == "proportion" and metric == plan.metric
        raw = [data.get((arm, metric), Moments(n=0)) for arm in plan.arms]
        adjusted, theta, _ = prepared(raw, proportion)
        raw_scaled = common_scale(raw)
        for i in range(1, len(plan.arms)):
            comparisons.append(compare(plan, metric, plan.arms[i], adjusted[0], adjusted[i], raw_scaled[0],
                                       raw_scaled[i], theta, proportion))
    goals = [c for c in comparisons if c["role"] == "goal"]
    for row, p in zip(goals, multiple.adjust([c["p_value"] for c in goals], plan.correction), strict=True):
        row["p_adjusted"] = p
    for row in comparisons:
        if row["role"] == "guardrail":
            row["p_adjusted"] = row["p_value"]  # guardrails are not corrected: a missed harm costs more
    srm = srm_power.srm([data.get((arm, plan.metric), Moments(n=0)).n for arm in plan.arms], list(plan.split))
    if observational:
        srm = {"p_value": None, "observed": srm["observed"], "expected": None, "mismatch": False}
    power = _power(plan, data)
    for row in comparisons:
        row["verdict"] = verdicts.verdict(plan, row)
    facts = verdicts.facts(plan, comparisons, srm, power, data, status, observational)
    recommendation, because, rule = decide(facts)
    return {"comparisons": comparisons, "srm": srm, "power": power, "recommendation": recommendation,
            "because": because, "basis": verdicts.basis(plan, comparisons, facts, rule)}


def _power(plan: Plan, data: dict[tuple[str, str], Moments]) -> dict[str, Any]:
    result: dict[str, Any] = {"n_per_arm_needed": None, "achieved": None, "mde": plan.mde}
    if plan.mde is None or len(plan.arms) < 2:
        return result
    proportion = plan.kind == "proportion"
    control, treatment = prepared([data.get((arm, plan.metric), Moments(n=0)) for arm in plan.arms[:2]],
                                  proportion)[0]
    c, t = estimates(control, proportion), estimates(treatment, proportion)
    if c is None or t is None or c.n < 2 or t.n < 2:
        return result
    result["n_per_arm_needed"] = srm_power.n_per_arm(plan.mde, c.mean, c.variance, t.variance, plan.alpha,
                                                     plan.power)
    result["achieved"] = srm_power.achieved(plan.mde, c.mean, c.variance, c.n, t.variance, t.n, plan.alpha)
    return result
