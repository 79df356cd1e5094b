"""Interrupted time series: segmented regression of the readings around the start of a change.

y = b0 + b1·t + b2·after + b3·(t - t0)·after, t in days. b2 is the level change at the start and b3
the change of slope per day. Readings in a series are autocorrelated, so the standard errors are
Newey–West (HAC) with the usual lag floor(4·(n/100)^(2/9)). Observational: a change that happened
at the same time for another reason looks the same.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

FIELDS = ("level_change", "level_p_value", "slope_change", "slope_p_value")


def newey_west_lags(n: int) -> int:
    return math.floor(4 * (n / 100) ** (2 / 9))


def newey_west_ols(x: Any, y: Any, lags: int) -> tuple[Any, Any]:
    """OLS coefficients and two-sided normal p-values with Newey–West (Bartlett kernel) errors: what
    statsmodels' ``OLS.fit(cov_type="HAC", cov_kwds={"maxlags": lags})`` reports (tests compare the
    two), without importing statsmodels (seconds of start-up for every command showing a before/after)."""
    import numpy as np

    from projections.experiment_stats.distributions import norm_sf

    bread = np.linalg.inv(x.T @ x)
    params = bread @ x.T @ y
    scores = x * (y - x @ params)[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        weight = 1 - lag / (lags + 1)
        gamma = scores[lag:].T @ scores[:-lag]
        meat += weight * (gamma + gamma.T)
    cov = bread @ meat @ bread
    se = np.sqrt(np.diag(cov))
    return params, [2 * norm_sf(abs(b / s)) if s > 0 else float("nan") for b, s in zip(params, se, strict=True)]


def segmented(points: list[tuple[datetime, float]], start: datetime) -> tuple[dict[str, Any] | None, str | None]:
    """The its block for readings ``points`` (time order) with the change at ``start``."""
    before = [p for p in points if p[0] < start]
    after = [p for p in points if p[0] >= start]
    if len(before) < 2 or len(after) < 2:
        return None, "the segmented regression needs at least two readings before and two after the start"
    import numpy as np

    scale = max(abs(v) for _, v in points) or 1.0
    t = np.array([(at - start).total_seconds() / 86400 for at, _ in points])
    d = (t >= 0).astype(float)
    y = np.array([v / scale for _, v in points])
    x = np.column_stack([np.ones_like(t), t, d, t * d])
    if np.linalg.matrix_rank(x) < 4 or len(points) < 5:
        return None, "the readings cannot separate a level change from a slope change (too few distinct times)"
    params, p_values = newey_west_ols(x, y, newey_west_lags(len(points)))
    result = {"level_change": float(params[2]) * scale, "level_p_value": float(p_values[2]),
              "slope_change": float(params[3]) * scale, "slope_p_value": float(p_values[3])}
    if not all(math.isfinite(v) for v in result.values()):
        return None, "the segmented regression gave no finite estimate (no variation left after the fit)"
    return result, None
