"""Step 7's third factor, growth (docs/brief.md §11), on a team's economics rows.

Each month is compared with the calendar month before (``revenue_growth``, ``net_profit_growth``) and with
the same month a year earlier (``revenue_growth_yoy``) as ``(x - base) / |base|``: a base month without
entries, or a base of zero, has no growth to compare with (null, never a division by zero). A month is
``self_funded`` when its net profit is not negative: the value the team created paid all its costs.
"""

from __future__ import annotations

import math
from typing import Any

SELF_FUNDED_WINDOW = 12
"""``self_funded_months`` counts the self-funded months among a team's latest this many months with entries."""


def month_before(period: str, months: int) -> str:
    """The ``YYYY-MM`` month ``months`` calendar months before ``period``."""
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def growth(value: float, base: float | None) -> float | None:
    """``(value - base) / |base|``; None without a base, with a zero base, or when the ratio is not finite."""
    if base is None or base == 0:
        return None
    ratio = (value - base) / abs(base)
    return ratio if math.isfinite(ratio) else None


def add_growth(rows: list[dict[str, Any]]) -> None:
    """Sets the growth fields and ``self_funded`` on each row (rows of any teams, each team's months once)."""
    by_month = {(row["team"], row["period"]): row for row in rows}

    def base(row: dict[str, Any], months: int, field: str) -> float | None:
        found = by_month.get((row["team"], month_before(row["period"], months)))
        return None if found is None else float(found[field])

    for row in rows:
        row["revenue_growth"] = growth(row["revenue"], base(row, 1, "revenue"))
        row["net_profit_growth"] = growth(row["net_profit"], base(row, 1, "net_profit"))
        row["revenue_growth_yoy"] = growth(row["revenue"], base(row, 12, "revenue"))
        row["self_funded"] = bool(row["net_profit"] >= 0)


def self_funded_months(rows: list[dict[str, Any]]) -> int:
    """How many of the latest ``SELF_FUNDED_WINDOW`` months with entries (one team's rows, oldest first) were
    self-funded."""
    return sum(1 for row in rows[-SELF_FUNDED_WINDOW:] if row["self_funded"])
