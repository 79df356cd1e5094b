"""Statistical process control: XmR limits and the Western Electric rules, for experiments and signals.

Limits (Wheeler; NIST/SEMATECH e-Handbook 6.3.2.2): center x̄ of the baseline readings, mR̄ the mean
moving range |xᵢ - xᵢ₋₁| in time order, natural process limits x̄ ± 2.66·mR̄, moving-range upper
limit 3.267·mR̄. One sigma is mR̄/1.128 (2.66 = 3/1.128). Readings are checked by the Western Electric
rules: 1 a point beyond 3σ; 2 two of three consecutive beyond 2σ on one side; 3 four of five beyond 1σ
on one side; 4 eight in a row on one side of the center. A signal names the point that completes the
pattern. An experiment's before/after chart checks both sides against a fixed baseline (``chart``);
``episodes`` walks a series with limits from all earlier unsignalled points, one side only (the
client-voice signal).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

D2 = 1.128
RULE_WINDOWS = {2: (3, 2, 2.0), 3: (5, 4, 1.0)}  # rule: (window, needed, sigmas)
ALL_RULES = frozenset({1, 2, 3, 4})


def _limits_of(center: float, mr_bar: float) -> dict[str, float]:
    return {"center": center, "mr_bar": mr_bar, "unpl": center + 2.66 * mr_bar, "lnpl": center - 2.66 * mr_bar,
            "mr_upper": 3.267 * mr_bar}


def limits(baseline: list[float]) -> dict[str, float] | None:
    if len(baseline) < 2:
        return None
    scale = max(abs(v) for v in baseline) or 1.0  # readings near ±1e308 must not overflow the sums
    xs = [v / scale for v in baseline]
    center = math.fsum(xs) / len(xs)
    mr_bar = math.fsum(abs(b - a) for a, b in pairwise(xs)) / (len(xs) - 1)
    result = {k: v * scale for k, v in _limits_of(center, mr_bar).items()}
    return result if all(math.isfinite(v) for v in result.values()) else None


def rules_completed(values: Sequence[float], i: int, center: float, sigma: float, *, side: int | None = None,
                    rules: Collection[int] = ALL_RULES) -> list[int]:
    """The rules whose pattern ``values[i]`` completes, looking back at the points before it (``side``: +1 only
    above the center, -1 only below, None either)."""
    value = values[i]
    point_side = (value > center) - (value < center)
    if point_side == 0 or (side is not None and point_side != side):
        return []
    distance = point_side * (value - center)
    found = [1] if 1 in rules and sigma > 0 and distance > 3 * sigma else []
    for rule, (window, needed, k) in RULE_WINDOWS.items():
        if rule not in rules or sigma == 0 or i + 1 < window or distance <= k * sigma:
            continue
        if sum(1 for v in values[i + 1 - window:i + 1] if point_side * (v - center) > k * sigma) >= needed:
            found.append(rule)
    if 4 in rules and i >= 7 and all(point_side * (v - center) > 0 for v in values[i - 7:i + 1]):
        found.append(4)
    return found


def signals(after: list[tuple[Any, float]], center: float, mr_bar: float) -> list[dict[str, Any]]:
    """[{at, value, rule}] for each after-window point that completes a rule's pattern, on either side."""
    values = [v for _, v in after]
    return [{"at": at, "value": value, "rule": rule} for i, (at, value) in enumerate(after)
            for rule in rules_completed(values, i, center, mr_bar / D2)]


def chart(baseline: list[float], after: list[tuple[Any, float]]) -> tuple[dict[str, Any] | None, str | None]:
    """The spc block, or None and the reason it cannot be drawn."""
    lim = limits(baseline)
    if lim is None:
        return None, "XmR limits need at least two baseline readings"
    return {**lim, "signals": signals(after, lim["center"], lim["mr_bar"])}, None


@dataclass(frozen=True)
class Episode:
    """Points ``start`` .. ``end - 1`` out of control (``end`` the first point back, None if none yet);
    ``limits`` those the start point was judged by, ``rule`` the first rule it completed."""

    start: int
    end: int | None
    value: float
    rule: int
    limits: dict[str, float]


def episodes(values: Sequence[float], side: int, *, min_baseline: int = 8, rules: Collection[int] = ALL_RULES,
             floor: float = -math.inf) -> list[Episode]:
    """Each run of points that complete a rule on ``side``, judged by limits from every earlier point not in an
    episode (at least ``min_baseline`` of them; moving ranges between consecutive such points).

    An episode starts at a point that completes a rule and goes on while each next point stays on ``side`` of
    the center it was judged by (its points never join the baseline); it ends at the first point back at or
    past the center, which joins the baseline. A pattern never reaches back past the end of an earlier
    episode: a new episode needs evidence of its own. A sustained shift is thus one episode, not one per
    point that happens to fall inside the limits. Only a point of at least ``floor`` starts one (weekly counts:
    the limits of a series of mostly zeros are a fraction of one, so without a floor every single complaint
    of a quiet client would be a shift). Running sums keep a series of n points O(n).
    """
    found: list[Episode] = []
    count, total, ranges, last = 0, 0.0, 0.0, 0.0
    recent: list[float] = []  # the points since the last episode ended, those of the open episode included
    opened: Episode | None = None
    for i, value in enumerate(values):
        recent.append(value)
        if opened is not None:
            if side * (value - opened.limits["center"]) > 0:
                continue
            found.append(Episode(opened.start, i, opened.value, opened.rule, opened.limits))
            opened, recent = None, [value]
        elif count >= min_baseline and value >= floor:
            center, mr_bar = total / count, ranges / (count - 1)
            fired = rules_completed(recent, len(recent) - 1, center, mr_bar / D2, side=side, rules=rules)
            if fired:
                opened = Episode(i, None, value, fired[0], _limits_of(center, mr_bar))
                continue
        if count:
            ranges += abs(value - last)
        count, total, last = count + 1, total + value, value
    return [*found, opened] if opened is not None else found
