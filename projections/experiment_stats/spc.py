"""Statistical process control for before/after: XmR limits from the baseline, signals after it.

Limits (Wheeler; NIST/SEMATECH e-Handbook 6.3.2.2): center x̄ of the baseline readings, mR̄ the mean
moving range |xᵢ - xᵢ₋₁| in time order, natural process limits x̄ ± 2.66·mR̄, moving-range upper
limit 3.267·mR̄. One sigma is mR̄/1.128 (2.66 = 3/1.128). The after window's readings are checked
by the Western Electric rules: 1 a point beyond 3σ; 2 two of three consecutive beyond 2σ on one
side; 3 four of five beyond 1σ on one side; 4 eight in a row on one side of the center. A signal
names the point that completes the pattern.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

D2 = 1.128
RULE_WINDOWS = {2: (3, 2, 2.0), 3: (5, 4, 1.0)}  # rule: (window, needed, sigmas)


def limits(baseline: list[float]) -> dict[str, float] | None:
    if len(baseline) < 2:
        return None
    scale = max(abs(v) for v in baseline) or 1.0  # readings near ±1e308 must not overflow the sums
    xs = [v / scale for v in baseline]
    center = math.fsum(xs) / len(xs)
    mr_bar = math.fsum(abs(b - a) for a, b in pairwise(xs)) / (len(xs) - 1)
    result = {"center": center * scale, "mr_bar": mr_bar * scale, "unpl": (center + 2.66 * mr_bar) * scale,
              "lnpl": (center - 2.66 * mr_bar) * scale, "mr_upper": 3.267 * mr_bar * scale}
    return result if all(math.isfinite(v) for v in result.values()) else None


def signals(after: list[tuple[Any, float]], center: float, mr_bar: float) -> list[dict[str, Any]]:
    """[{at, value, rule}] for each after-window point that completes a rule's pattern."""
    sigma = mr_bar / D2
    found: list[dict[str, Any]] = []
    values = [v for _, v in after]
    for i, (at, value) in enumerate(after):
        side = (value > center) - (value < center)
        if sigma > 0 and abs(value - center) > 3 * sigma:
            found.append({"at": at, "value": value, "rule": 1})
        for rule, (window, needed, k) in RULE_WINDOWS.items():
            if sigma == 0 or i + 1 < window or side == 0 or abs(value - center) <= k * sigma:
                continue
            recent = values[i + 1 - window:i + 1]
            if sum(1 for v in recent if side * (v - center) > k * sigma) >= needed:
                found.append({"at": at, "value": value, "rule": rule})
        if side != 0 and i >= 7 and all(side * (v - center) > 0 for v in values[i - 7:i + 1]):
            found.append({"at": at, "value": value, "rule": 4})
    return found


def chart(baseline: list[float], after: list[tuple[Any, float]]) -> tuple[dict[str, Any] | None, str | None]:
    """The spc block, or None and the reason it cannot be drawn."""
    lim = limits(baseline)
    if lim is None:
        return None, "XmR limits need at least two baseline readings"
    return {**lim, "signals": signals(after, lim["center"], lim["mr_bar"])}, None
