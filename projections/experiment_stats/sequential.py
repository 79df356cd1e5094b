"""Asymptotic confidence sequences (Waudby-Smith et al., 2023), as GrowthBook's sequential engine uses them.

An interval valid at every look: half-width = √(n·V) · √(2(nρ² + 1)/(n²ρ²) · log(√(nρ² + 1)/α)), with
n the units of both arms, V the variance of the estimate and ρ tuned so the sequence is tightest at
``tuning`` (N*) units: ρ² = (-2 log α + log(-2 log α + 1)) / N*.
The p-value is the smallest α whose sequence excludes zero, so "p < α" and "the interval excludes
0" always agree.
"""

from __future__ import annotations

import math

from projections.experiment_stats.frequentist import Estimate


def rho_squared(alpha: float, tuning: float) -> float:
    return (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning


def halfwidth(estimate: Estimate, n: int, alpha: float, tuning: float) -> float:
    r2 = rho_squared(alpha, tuning)
    s2 = estimate.variance * n
    return math.sqrt(s2) * math.sqrt(2 * (n * r2 + 1) / (n * n * r2) * math.log(math.sqrt(n * r2 + 1) / alpha))


def interval(estimate: Estimate, n: int, alpha: float, tuning: float) -> tuple[float, float]:
    half = halfwidth(estimate, n, alpha, tuning)
    return estimate.value - half, estimate.value + half


def p_value(estimate: Estimate, n: int, tuning: float) -> float:
    """inf{α : 0 is outside the α-sequence}; 1 when even α → 1 keeps zero inside."""
    target = abs(estimate.value)
    limit = estimate.se * math.sqrt(1 + tuning / (2 * n))  # the half-width as α → 1

    if target <= limit:
        return 1.0

    def gap(log_alpha: float) -> float:
        return halfwidth(estimate, n, math.exp(log_alpha), tuning) - target

    low, high = math.log(1e-300), math.log1p(-1e-12)
    if gap(low) <= 0:
        return 0.0
    if gap(high) >= 0:
        return 1.0
    for _ in range(200):  # bisection on log α: the half-width falls as α grows
        middle = (low + high) / 2
        if middle in (low, high):
            break
        low, high = (middle, high) if gap(middle) > 0 else (low, middle)
    return math.exp((low + high) / 2)
