"""How an experiment's numbers are written, once, for the CLI text, the HTML report and the pages.

Every rendering takes its text from here (through ``experiment_story``), so the three agree to the last
shown digit. Negative numbers carry a true minus sign (−), as typeset text does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

MINUS = "\u2212"


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def decimals(values: Iterable[float | None]) -> int:
    """Decimals that show three significant digits of the largest magnitude (0 to 6)."""
    largest = max((abs(v) for v in values if v is not None and math.isfinite(v)), default=0.0)
    if largest == 0:
        return 2
    return min(6, max(0, 2 - math.floor(math.log10(largest))))


def number(value: float | None, places: int) -> str:
    return "—" if value is None else _minus(f"{value:,.{places}f}")


def signed_pct(value: float | None) -> str:
    return "—" if value is None else _minus(f"{value:+.1%}")


def share(value: float | None) -> str:
    """A probability as a percentage, never rounded to a certainty it is not."""
    if value is None:
        return "—"
    if value > 0.999:
        return "> 99.9%"
    if value < 0.001:
        return "< 0.1%"
    return f"{value:.1%}"


def p_value(value: float | None) -> str:
    if value is None:
        return "p not computable"
    return "p < 0.0001" if value < 0.0001 else f"p = {value:#.2g}"


def interval(low: float | None, high: float | None, places: int, label: str) -> str:
    if low is None or high is None:
        return f"no {label}"
    return f"{label} [{number(low, places)}, {number(high, places)}]"


def pct_interval(low: float | None, high: float | None, label: str = "") -> str:
    """" [low, high]" after a lift (", 95% credible interval [low, high]" with a label), or nothing."""
    if low is None or high is None:
        return ""
    return f"{', ' + label if label else ' '}[{signed_pct(low)}, {signed_pct(high)}]"


def level(alpha: float) -> str:
    """The interval's coverage as people say it: 95%, 90%, 99.5%."""
    return f"{(1 - alpha) * 100:.4g}%"
