"""One treatment arm against the control on one metric: every number of a ``comparisons`` row."""

from __future__ import annotations

import math
from typing import Any

from projections.experiment_stats import bayesian, cuped, frequentist, sequential
from projections.experiment_stats.config import Plan
from projections.experiment_stats.sufficient import Moments, common_scale, finite, unscaled

FIELDS = ("abs_diff", "abs_ci_low", "abs_ci_high", "p_value", "lift", "lift_ci_low", "lift_ci_high",
          "lift_p_value", "p_adjusted", "chance_to_win", "risk", "cuped_theta", "variance_reduction",
          "non_inferiority_p_value")


def prepared(arms: list[Moments], proportion: bool) -> tuple[list[Moments], float | None, float | None]:
    """All arms of a metric on one scale, CUPED-adjusted when every unit has a covariate.

    Returns (arms, θ in the metric's units per covariate unit, θ in scaled units).
    """
    scaled = common_scale(arms)
    if proportion and scaled and scaled[0].scale != 1.0:
        scaled = [m.rescaled(1.0, m.x_scale) for m in scaled]  # p(1 - p) needs the 0/1 units
    th = cuped.theta(scaled)
    if th is None:
        return scaled, None, None
    return cuped.adjust(scaled, th), finite(th * scaled[0].scale / scaled[0].x_scale), th


def estimates(m: Moments, proportion: bool) -> frequentist.ArmEstimate | None:
    return frequentist.arm_estimate(m.n, m.mean, m.m2, proportion)


def compare(plan: Plan, metric: str, arm: str, control: Moments, treatment: Moments, raw_control: Moments,
            raw_treatment: Moments, theta: float | None, proportion: bool) -> dict[str, Any]:
    """The comparison row; numbers that cannot be computed are None and ``because`` says why."""
    row: dict[str, Any] = {"arm": arm, "metric": metric, **dict.fromkeys(FIELDS),
                           "role": "guardrail" if metric in plan.guardrails else "goal",
                           "n_control": control.n, "n_treatment": treatment.n, "because": []}
    reasons: list[str] = row["because"]
    scale = control.scale
    c, t = estimates(control, proportion and theta is None), estimates(treatment, proportion and theta is None)
    if c is None or t is None or c.n < 2 or t.n < 2:
        reasons.append(f"{arm} vs control on {metric}: each arm needs at least 2 units")
        if c is not None and t is not None:
            row["abs_diff"] = unscaled(t.mean - c.mean, scale)
        return row
    row["cuped_theta"] = theta
    diff = frequentist.absolute(c, t)
    if diff is None:
        row["abs_diff"] = unscaled(t.mean - c.mean, scale)
        reasons.append(f"{arm} vs control on {metric}: no variance in either arm, so no test")
        return row
    higher = plan.higher_is_better(metric)
    n_total = c.n + t.n
    if plan.sequential:
        low, high = sequential.interval(diff, n_total, plan.alpha, plan.tuning)
        p = sequential.p_value(diff, n_total, plan.tuning)
    else:
        low, high, p = frequentist.two_sided(diff, plan.alpha)
    row.update(abs_diff=unscaled(diff.value, scale), abs_ci_low=unscaled(low, scale),
               abs_ci_high=unscaled(high, scale), p_value=p)
    if theta is not None:
        rc, rt = estimates(raw_control, False), estimates(raw_treatment, False)
        raw = frequentist.absolute(rc, rt) if rc and rt else None
        row["variance_reduction"] = 1 - diff.variance / raw.variance if raw else None
    lift = frequentist.relative(c, t)
    if lift is None:
        reasons.append(f"{arm} vs control on {metric}: the control mean is 0, so there is no relative lift")
    else:
        row["lift"] = lift.value
        if plan.sequential:
            row["lift_ci_low"], row["lift_ci_high"] = sequential.interval(lift, n_total, plan.alpha, plan.tuning)
            row["lift_p_value"] = sequential.p_value(lift, n_total, plan.tuning)
        else:
            row["lift_ci_low"], row["lift_ci_high"], row["lift_p_value"] = frequentist.two_sided(lift, plan.alpha)
        post = bayesian.posterior(lift.value, lift.variance, plan.prior_mean, plan.prior_stddev)
        row["chance_to_win"] = bayesian.chance_to_win(post, higher)
        row["risk"] = bayesian.risk(post, higher)
        if plan.engine == "bayesian":
            row["lift_ci_low"], row["lift_ci_high"] = bayesian.credible_interval(post, plan.alpha)
        if plan.non_inferiority_margin is not None and metric == plan.metric:
            row["non_inferiority_p_value"] = frequentist.non_inferiority_p(lift, plan.non_inferiority_margin, higher)
    for name in FIELDS:
        value = row[name]
        if isinstance(value, float) and not math.isfinite(value):
            row[name] = None
            reasons.append(f"{arm} vs control on {metric}: {name} is not a finite number in the metric's units")
    if row["abs_diff"] is None and not any("abs_diff" in r for r in reasons):
        reasons.append(f"{arm} vs control on {metric}: the difference is too large to represent")
    return row
