"""Welch's t-test on the absolute difference and the delta-method relative lift.

The relative lift and its variance follow GrowthBook's documented formulas
(https://docs.growthbook.io/statistics/details): lift = μT/μC - 1 with
Var = σ²T/(nT·μC²) + μT²·σ²C/(nC·μC⁴), tested with the Welch–Satterthwaite degrees of freedom.
Every input is in scaled units (``sufficient.Moments``); scaling cancels in p-values and lifts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from projections.experiment_stats.distributions import t_cdf, t_ppf, t_sf


@dataclass(frozen=True)
class ArmEstimate:
    """What a test needs of one arm: n, mean and the variance of one unit (not of the mean)."""

    n: int
    mean: float
    variance: float


@dataclass(frozen=True)
class Estimate:
    """A point estimate with the variance of the estimate and the degrees of freedom of its t-test."""

    value: float
    variance: float
    df: float

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)


def welch_df(se2_c: float, se2_t: float, n_c: int, n_t: int) -> float:
    """Welch–Satterthwaite df, written with shares so that tiny variances cannot underflow to 0/0."""
    total = se2_c + se2_t
    a, b = se2_c / total, se2_t / total
    return 1.0 / (a * a / (n_c - 1) + b * b / (n_t - 1))


def absolute(control: ArmEstimate, treatment: ArmEstimate) -> Estimate | None:
    """Treatment minus control; None when either arm has fewer than two units or no variance."""
    if control.n < 2 or treatment.n < 2:
        return None
    se2_c, se2_t = control.variance / control.n, treatment.variance / treatment.n
    if se2_c + se2_t <= 0:
        return None
    return Estimate(treatment.mean - control.mean, se2_c + se2_t, welch_df(se2_c, se2_t, control.n, treatment.n))


def relative(control: ArmEstimate, treatment: ArmEstimate) -> Estimate | None:
    """Relative lift μT/μC - 1 with the delta-method variance; None when μC = 0."""
    diff = absolute(control, treatment)
    if diff is None or control.mean == 0:
        return None
    ratio = treatment.mean / control.mean
    se2_c, se2_t = control.variance / control.n, treatment.variance / treatment.n
    # divided by μC twice rather than by μC², which underflows to 0 for a tiny control mean
    variance = (se2_t / control.mean + se2_c * ratio * ratio / control.mean) / control.mean
    if not (math.isfinite(ratio) and math.isfinite(variance) and variance > 0):
        return None
    return Estimate(ratio - 1.0, variance, diff.df)


def two_sided(estimate: Estimate, alpha: float) -> tuple[float, float, float]:
    """(low, high, p) of the two-sided t interval at level 1 - alpha and the test of zero."""

    t_crit = t_ppf(1 - alpha / 2, estimate.df)
    half = t_crit * estimate.se
    p = 2 * t_sf(abs(estimate.value) / estimate.se, estimate.df)
    return estimate.value - half, estimate.value + half, min(p, 1.0)


def non_inferiority_p(lift: Estimate, margin: float, higher_is_better: bool) -> float:
    """One-sided p of H0 "the treatment is worse by at least ``margin`` (relative)".

    Higher is better: H0 lift <= -margin, rejected for large (lift + margin)/se.
    Lower is better: H0 lift >= +margin, rejected for small (lift - margin)/se.
    """

    if higher_is_better:
        return t_sf((lift.value + margin) / lift.se, lift.df)
    return t_cdf((lift.value - margin) / lift.se, lift.df)


def arm_estimate(n: int, mean: float, m2: float, proportion: bool) -> ArmEstimate | None:
    """A unit's variance: the sample variance for means, p(1 - p) for proportions (values 0/1)."""
    if n == 0:
        return None
    if proportion:
        return ArmEstimate(n, mean, mean * (1 - mean))
    if n < 2:
        return ArmEstimate(n, mean, 0.0)
    return ArmEstimate(n, mean, max(m2, 0.0) / (n - 1))
