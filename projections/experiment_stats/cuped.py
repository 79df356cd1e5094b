"""CUPED: remove the part of the outcome that a pre-period covariate predicts (Deng et al., 2013).

θ = cov(Y, X) / var(X), pooled over the arms (within-arm co-moments over within-arm sums of
squares), so randomisation keeps the adjusted difference unbiased. Each arm's adjusted mean is
ȳ - θ(x̄_arm - x̄_all) and its adjusted spread the residual sum of squares of y - θx; the
variance of the difference shrinks by ``variance_reduction`` = 1 - V_adjusted / V_raw.
"""

from __future__ import annotations

import math
from dataclasses import replace

from projections.experiment_stats.sufficient import Moments


def theta(arms: list[Moments]) -> float | None:
    """Pooled θ in scaled units (y per x), or None when some unit lacks a covariate or X never varies."""
    if not arms or not all(m.has_covariate for m in arms):
        return None
    sxx = sum(m.x_m2 for m in arms)
    if sxx <= 0:
        return None
    th = sum(m.c_xy for m in arms) / sxx
    return th if math.isfinite(th) and math.isfinite(th * th * sxx) else None


def adjust(arms: list[Moments], th: float) -> list[Moments]:
    """The arms with the outcome replaced by y - θ(x - x̄_all) (same n; the covariate kept)."""
    total = sum(m.n for m in arms)
    grand_x = sum(m.x_mean * m.n for m in arms) / total
    return [
        replace(m, mean=m.mean - th * (m.x_mean - grand_x), m2=max(m.m2 - 2 * th * m.c_xy + th * th * m.x_m2, 0.0))
        for m in arms
    ]
