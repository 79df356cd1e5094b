"""Growth's arithmetic at its edges (``projections.growth``, docs/brief.md §11): month arithmetic across a year,
a missing or zero base, and a ratio too large for a float, which JSON answers show as null (never ``Infinity``)."""

from __future__ import annotations

import json

from projections.growth import add_growth, growth, month_before, self_funded_months
from projections.json_output import dumps


def test_months_before_cross_the_year() -> None:
    assert [month_before("2026-01", 1), month_before("2026-03", 12), month_before("2026-12", 1)] == [
        "2025-12", "2025-03", "2026-11"]


def test_growth_is_against_the_absolute_base() -> None:
    assert growth(150, 100) == 0.5
    assert growth(-50, -100) == 0.5  # a loss halved is growth
    assert growth(-300, -100) == -2.0


def test_no_base_no_growth() -> None:
    assert growth(100, None) is None and growth(100, 0.0) is None and growth(0.0, 0.0) is None


def test_a_ratio_past_a_float_is_null_and_the_answer_stays_valid_json() -> None:
    rows = [{"team": "t", "period": "2026-01", "revenue": 1e-300, "net_profit": -1e-300},
            {"team": "t", "period": "2026-02", "revenue": 1e300, "net_profit": 1e300}]
    add_growth(rows)
    assert rows[1]["revenue_growth"] is None and rows[1]["net_profit_growth"] is None
    assert [row["self_funded"] for row in rows] == [False, True]
    assert json.loads(dumps(rows))[1]["revenue_growth"] is None
    assert self_funded_months(rows) == 1
