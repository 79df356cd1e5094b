"""Adjusting p-values for many comparisons (arms × goal metrics): Holm and Benjamini–Hochberg.

Holm (1979) controls the family-wise error rate; Benjamini & Hochberg (1995) the false discovery
rate. Both return adjusted p-values, so "p_adjusted < alpha" is the decision at level alpha.
Comparisons without a p-value (too little data) are not counted in the family.
"""

from __future__ import annotations


def holm(p_values: list[float]) -> list[float]:
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i], reverse=True)
    adjusted = [0.0] * m
    running = 1.0
    for position, i in enumerate(order):
        rank = m - position  # 1-based rank in ascending order
        running = min(running, min(1.0, p_values[i] * m / rank))
        adjusted[i] = running
    return adjusted


def adjust(p_values: list[float | None], method: str) -> list[float | None]:
    """Adjusted p-values in the same order; None stays None; ``none`` returns them unchanged."""
    present = [i for i, p in enumerate(p_values) if p is not None]
    values = [p_values[i] for i in present]
    if method == "holm":
        fixed = holm(values)  # type: ignore[arg-type]
    elif method == "benjamini_hochberg":
        fixed = benjamini_hochberg(values)  # type: ignore[arg-type]
    elif method == "none":
        fixed = values  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown correction {method!r}")
    result: list[float | None] = [None] * len(p_values)
    for i, p in zip(present, fixed, strict=True):
        result[i] = p
    return result
