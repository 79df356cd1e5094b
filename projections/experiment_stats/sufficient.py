"""Sufficient statistics of one arm and metric, kept in a form that neither overflows nor cancels.

An arm is summarised by its count, mean and the sum of squared deviations (``m2``), plus the
covariate's mean, ``x_m2`` and the co-moment ``c_xy`` for CUPED. Values are divided by a per-metric
``scale`` (the largest magnitude seen) before any sum, so observations near ±1e308 never overflow;
every statistic is computed in scaled units and multiplied back only at the end, where a result
that is not finite becomes ``None`` with a reason instead of an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Moments:
    """n, mean and m2 = Σ(y - ȳ)² in units of ``scale``; the covariate likewise in units of ``x_scale``."""

    n: int
    mean: float = 0.0
    m2: float = 0.0
    scale: float = 1.0
    x_n: int = 0  # units that carry a covariate (CUPED needs every unit to)
    x_mean: float = 0.0
    x_m2: float = 0.0
    c_xy: float = 0.0  # Σ(x - x̄)(y - ȳ), in scale · x_scale units
    x_scale: float = 1.0

    @property
    def has_covariate(self) -> bool:
        return self.n > 0 and self.x_n == self.n

    def variance(self) -> float | None:
        """Sample variance (n - 1) in scaled units; None below two units."""
        return max(self.m2, 0.0) / (self.n - 1) if self.n >= 2 else None

    def rescaled(self, scale: float, x_scale: float) -> Moments:
        """The same moments in larger units (``scale >= self.scale``: every factor is at most 1)."""
        f = self.scale / scale
        g = self.x_scale / x_scale
        return replace(self, mean=self.mean * f, m2=self.m2 * f * f, scale=scale, x_mean=self.x_mean * g,
                       x_m2=self.x_m2 * g * g, c_xy=self.c_xy * f * g, x_scale=x_scale)

    def merge(self, other: Moments) -> Moments:
        """Both groups of units together (Chan et al.'s parallel update), on the larger scale."""
        scale, x_scale = max(self.scale, other.scale), max(self.x_scale, other.x_scale)
        a, b = self.rescaled(scale, x_scale), other.rescaled(scale, x_scale)
        if a.n == 0:
            return b
        if b.n == 0:
            return a
        n = a.n + b.n
        wa, wb = a.n / n, b.n / n
        dy = b.mean - a.mean
        dx = b.x_mean - a.x_mean
        x_n = a.x_n + b.x_n
        both_x = a.has_covariate and b.has_covariate
        return Moments(
            n=n, mean=a.mean * wa + b.mean * wb, m2=a.m2 + b.m2 + dy * dy * a.n * wb, scale=scale,
            x_n=x_n, x_mean=(a.x_mean * wa + b.x_mean * wb) if both_x else 0.0,
            x_m2=(a.x_m2 + b.x_m2 + dx * dx * a.n * wb) if both_x else 0.0,
            c_xy=(a.c_xy + b.c_xy + dx * dy * a.n * wb) if both_x else 0.0, x_scale=x_scale,
        )


def power_of_two_scale(top: float) -> float:
    """The power of two at or just above ``top`` (at most 2¹⁰²³): dividing by it is exact."""
    if not (top > 0 and math.isfinite(top)):
        return 1.0
    return math.ldexp(1.0, min(math.frexp(top)[1], 1023))


def _magnitude(*values: float) -> float:
    return power_of_two_scale(max((abs(v) for v in values), default=0.0))


def from_sums(
    n: int, total: float, sum_squares: float, covariate_sum: float | None = None,
    covariate_sum_squares: float | None = None, cross_sum: float | None = None,
) -> Moments:
    """Moments from the sums an analytics tool exports (n, Σy, Σy², Σx, Σx², Σxy).

    The sums are divided by a scale first (``(s/scale)/scale``, never ``s/scale²``) so that no
    intermediate overflows; m2 = Σy² - (Σy)²/n is floored at 0 against rounding.
    """
    if n <= 0:
        return Moments(n=0)
    scale = _magnitude(total / n, math.sqrt(sum_squares / n) if sum_squares > 0 else 0.0)
    mean = (total / scale) / n
    m2 = max((sum_squares / scale) / scale - n * mean * mean, 0.0)
    if covariate_sum is None or covariate_sum_squares is None or cross_sum is None:
        return Moments(n=n, mean=mean, m2=m2, scale=scale)
    x_scale = _magnitude(covariate_sum / n, math.sqrt(covariate_sum_squares / n) if covariate_sum_squares > 0 else 0)
    x_mean = (covariate_sum / x_scale) / n
    x_m2 = max((covariate_sum_squares / x_scale) / x_scale - n * x_mean * x_mean, 0.0)
    c_xy = (cross_sum / scale) / x_scale - n * mean * x_mean
    return Moments(n=n, mean=mean, m2=m2, scale=scale, x_n=n, x_mean=x_mean, x_m2=x_m2, c_xy=c_xy,
                   x_scale=x_scale)


def from_values(values: list[float], covariates: list[float] | None = None) -> Moments:
    """Moments of raw values in Python (tests and small before/after windows; the views use SQL)."""
    n = len(values)
    if n == 0:
        return Moments(n=0)
    scale = _magnitude(*values)
    ys = [v / scale for v in values]
    mean = math.fsum(ys) / n
    m2 = math.fsum((y - mean) ** 2 for y in ys)
    if covariates is None:
        return Moments(n=n, mean=mean, m2=m2, scale=scale)
    x_scale = _magnitude(*covariates)
    xs = [x / x_scale for x in covariates]
    x_mean = math.fsum(xs) / n
    return Moments(
        n=n, mean=mean, m2=m2, scale=scale, x_n=n, x_mean=x_mean, x_m2=math.fsum((x - x_mean) ** 2 for x in xs),
        c_xy=math.fsum((x - x_mean) * (y - mean) for x, y in zip(xs, ys, strict=True)), x_scale=x_scale,
    )


def common_scale(arms: list[Moments]) -> list[Moments]:
    """All arms of one metric in the same units, so differences and ratios are meaningful."""
    scale = max((m.scale for m in arms), default=1.0)
    x_scale = max((m.x_scale for m in arms), default=1.0)
    return [m.rescaled(scale, x_scale) for m in arms]


def unscaled(value: float | None, scale: float) -> float | None:
    """A scaled statistic back in the metric's units; None when that is not a finite number."""
    if value is None:
        return None
    result = value * scale
    return result if math.isfinite(result) else None


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
