"""Sample ratio mismatch (is the split what was planned?) and power (is there enough data?).

SRM: Pearson's chi-square of the units per arm against the planned ``weights``; a mismatch
(p < 0.001) means the assignment is broken and no comparison can be trusted.
Power: two-sided z approximation for a relative minimum detectable effect ``mde`` on the control
mean: n per arm = (z₁₋α/₂ + z_power)² (σ²C + σ²T) / δ², δ = mde·|μC|; achieved power at the
current sizes = Φ(δ/se - z₁₋α/₂) + Φ(-δ/se - z₁₋α/₂).
"""

from __future__ import annotations

import math
from typing import Any

from projections.experiment_stats.distributions import chi2_sf, norm_cdf, norm_ppf

SRM_THRESHOLD = 0.001


def srm(observed: list[int], weights: list[float]) -> dict[str, Any]:

    total = sum(observed)
    share = sum(weights)
    expected = [total * w / share for w in weights]
    result: dict[str, Any] = {"p_value": None, "observed": observed, "expected": expected, "mismatch": False}
    if total == 0 or len(observed) < 2:
        return result
    chi2 = math.fsum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    p = chi2_sf(chi2, len(observed) - 1)
    result["p_value"] = p
    result["mismatch"] = p < SRM_THRESHOLD
    return result


def n_per_arm(mde: float, control_mean: float, var_c: float, var_t: float, alpha: float, power: float) -> int | None:

    delta = mde * abs(control_mean)
    if delta * delta == 0 or var_c + var_t <= 0:  # a difference so small its square underflows: no answer
        return None
    z = norm_ppf(1 - alpha / 2) + norm_ppf(power)
    needed = z * z * (var_c + var_t) / (delta * delta)
    return math.ceil(needed) if math.isfinite(needed) else None


def achieved(mde: float, control_mean: float, var_c: float, n_c: int, var_t: float, n_t: int,
             alpha: float) -> float | None:

    delta = mde * abs(control_mean)
    if n_c == 0 or n_t == 0 or delta == 0:
        return None
    se = math.sqrt(var_c / n_c + var_t / n_t)
    if se == 0:
        return None
    z = norm_ppf(1 - alpha / 2)
    return norm_cdf(delta / se - z) + norm_cdf(-delta / se - z)
