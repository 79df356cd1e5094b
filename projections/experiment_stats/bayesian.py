"""Bayesian engine: a normal approximation on the relative lift, as GrowthBook's Bayesian engine does.

The data give lift ~ N(estimate, V) (delta method). With the default improper (flat) prior the
posterior is that normal; a proper prior N(m, s²) on the lift gives the precision-weighted posterior.
chance_to_win = P(the lift goes the metric's good way); risk = the expected loss of choosing an arm,
E[max(lift, 0)] for control (the gain forgone) and E[max(-lift, 0)] for treatment, with signs
flipped for lower-is-better metrics. Source: https://docs.growthbook.io/statistics/details
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from projections.experiment_stats.distributions import norm_cdf, norm_pdf, norm_ppf


@dataclass(frozen=True)
class Posterior:
    mean: float
    sd: float


def posterior(estimate: float, variance: float, prior_mean: float = 0.0,
              prior_sd: float | None = None) -> Posterior:
    if prior_sd is None:
        return Posterior(estimate, math.sqrt(variance))
    precision = 1 / variance + 1 / (prior_sd * prior_sd)
    mean = (estimate / variance + prior_mean / (prior_sd * prior_sd)) / precision
    return Posterior(mean, math.sqrt(1 / precision))


def chance_to_win(post: Posterior, higher_is_better: bool) -> float:

    up = norm_cdf(post.mean / post.sd)
    return up if higher_is_better else 1.0 - up


def credible_interval(post: Posterior, alpha: float) -> tuple[float, float]:

    z = norm_ppf(1 - alpha / 2)
    return post.mean - z * post.sd, post.mean + z * post.sd


def _positive_part_mean(mu: float, sd: float) -> float:
    """E[max(L, 0)] for L ~ N(mu, sd²) = mu·Φ(mu/sd) + sd·φ(mu/sd)."""

    z = mu / sd
    return mu * norm_cdf(z) + sd * norm_pdf(z)


def risk(post: Posterior, higher_is_better: bool) -> dict[str, float]:
    """Expected relative loss of shipping each arm: control forgoes gains, treatment risks harm."""
    sign = 1.0 if higher_is_better else -1.0
    good = sign * post.mean
    return {"control": _positive_part_mean(good, post.sd), "treatment": _positive_part_mean(-good, post.sd)}
