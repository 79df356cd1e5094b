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


def segmented(points: list[tuple[datetime, float]], start: datetime) -> tuple[dict[str, Any] | None, str | None]:
    """The its block for readings ``points`` (time order) with the change at ``start``."""
    before = [p for p in points if p[0] < start]
    after = [p for p in points if p[0] >= start]
    if len(before) < 2 or len(after) < 2:
        return None, "the segmented regression needs at least two readings before and two after the start"
    import numpy as np
    import statsmodels.api as sm

    scale = max(abs(v) for _, v in points) or 1.0
    t = np.array([(at - start).total_seconds() / 86400 for at, _ in points])
    d = (t >= 0).astype(float)
    y = np.array([v / scale for _, v in points])
    x = sm.add_constant(np.column_stack([t, d, t * d]), has_constant="add")
    if np.linalg.matrix_rank(x) < 4 or len(points) < 5:
        return None, "the readings cannot separate a level change from a slope change (too few distinct times)"
    fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(len(points))})
    params, p_values = fit.params, fit.pvalues
    result = {"level_change": float(params[2]) * scale, "level_p_value": float(p_values[2]),
              "slope_change": float(params[3]) * scale, "slope_p_value": float(p_values[3])}
    if not all(math.isfinite(v) for v in result.values()):
        return None, "the segmented regression gave no finite estimate (no variation left after the fit)"
    return result, None
