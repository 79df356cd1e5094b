"""Edge cases give null numbers and a ``because``, never an error (docs/brief.md §6)."""

from __future__ import annotations

import json
import math

import pytest

from projections.experiment_stats.analysis import analyse, arm_rows, headline
from projections.experiment_stats.config import Plan
from projections.experiment_stats.sufficient import Moments, from_sums, from_values
from tests.support.stats import row, run


def _all_finite_or_null(value: object) -> None:
    """Every number in the answer is finite (JSON has no NaN/Infinity)."""
    json.dumps(value, allow_nan=False)


def test_fewer_than_two_units() -> None:
    result = run({"control": [1.0], "treatment": [2.0, 3.0]})
    r = row(result)
    assert r["p_value"] is None and r["abs_ci_low"] is None and r["lift"] is None
    assert r["abs_diff"] == 1.5
    assert any("at least 2 units" in b for b in r["because"])
    assert result["recommendation"] == "continue" and "at least 2 units" in result["because"]
    _all_finite_or_null(result)


def test_empty_arm() -> None:
    result = run({"control": [], "treatment": [2.0, 3.0]})
    assert row(result)["abs_diff"] is None
    assert result["srm"]["p_value"] is not None  # 0 vs 2 units is itself a (tiny) split to judge
    _all_finite_or_null(result)
    data = {("treatment", "m"): from_values([1.0, 2.0])}
    assert arm_rows(Plan(metric="m"), data)[0] == {"arm": "control", "n": 0, "mean": None, "std": None}
    assert headline(Plan(metric="m"), data)["p_value"] is None


def test_zero_variance_in_both_arms() -> None:
    result = run({"control": [5.0] * 10, "treatment": [6.0] * 10})
    r = row(result)
    assert r["abs_diff"] == 1.0 and r["p_value"] is None
    assert any("no variance" in b for b in r["because"])
    _all_finite_or_null(result)


def test_control_mean_zero_has_no_lift() -> None:
    result = run({"control": [-1.0, 1.0, -2.0, 2.0], "treatment": [1.0, 2.0, 3.0, 2.5]})
    r = row(result)
    assert r["p_value"] is not None and r["lift"] is None and r["chance_to_win"] is None
    assert any("control mean is 0" in b for b in r["because"])
    assert headline(Plan(metric="m"), {("control", "m"): from_values([-1.0, 1.0]),
                                       ("treatment", "m"): from_values([1.0, 2.0])})["lift"] is None


@pytest.mark.parametrize("tiny", [2.2250738585072014e-308, 5e-324, -1e-310])
def test_a_tiny_control_mean_gives_null_or_finite_numbers(tiny: float) -> None:
    """Regression (found by the permutation property): a subnormal control mean divided by zero."""
    for control in ([0.0, tiny], [tiny, 0.0], [tiny, tiny * 2]):
        result = run({"control": control, "treatment": [0.0, 1.0]})
        _all_finite_or_null(result)
    result = run({"control": [1.0, 2.0, 3.0], "treatment": [2.0, 3.0, 5.0]},
                 {"control": [0.0, tiny, 0.0], "treatment": [tiny, 0.0, tiny]})
    _all_finite_or_null(result)


def test_all_zero_proportions() -> None:
    result = run({"control": [0.0] * 50, "treatment": [0.0] * 50}, kind="proportion", mde=0.1)
    r = row(result)
    assert r["abs_diff"] == 0.0 and r["p_value"] is None and r["lift"] is None
    assert result["power"]["n_per_arm_needed"] is None
    _all_finite_or_null(result)


@pytest.mark.parametrize("big", [1e308, -1e308, 1.7976931348623157e308])
def test_huge_values_never_overflow(big: float) -> None:
    """Observations of ±1e308 used to raise OverflowError in the sums; now numbers are finite or null."""
    result = run({"control": [big, big * 0.5, -big], "treatment": [big, big, big * 0.9]}, mde=0.1,
                 sequential=True)
    _all_finite_or_null(result)
    r = row(result)
    assert r["p_value"] is not None and 0 <= r["p_value"] <= 1
    arms = arm_rows(Plan(metric="m"), {("control", "m"): from_values([big, -big])})
    assert arms[0]["mean"] == 0.0
    std = abs(big) * math.sqrt(2)  # the sample std of [big, -big]: null when it is not a double
    assert arms[0]["std"] == (pytest.approx(std, rel=1e-12) if math.isfinite(std) else None)
    hl = headline(Plan(metric="m"), {("control", "m"): from_values([-big, -big * 0.9]),
                                     ("treatment", "m"): from_values([big, big * 0.8])})
    assert hl["abs_diff"] is None and hl["p_value"] is not None  # 2e308 is not a double: null, p still fine
    _all_finite_or_null(hl)


def test_huge_summaries_never_overflow() -> None:
    for summary in (from_sums(4, 1e308, 1.7e308), from_sums(2, 1e154, 1e308), from_sums(3, -1.7e308, 1e-300)):
        assert math.isfinite(summary.mean) and math.isfinite(summary.m2) and summary.m2 >= 0
    merged = summary.merge(from_values([1e308, -1e308]))
    assert math.isfinite(merged.mean * merged.scale) and math.isfinite(merged.m2)


def test_unknown_arm_data_and_no_treatment() -> None:
    result = analyse(Plan(metric="m", arms=("control",)), {("control", "m"): from_values([1.0, 2.0])}, "running")
    assert result["comparisons"] == [] and result["recommendation"] == "continue"
    assert "no treatment arm" in result["because"]
    assert Moments(n=0).variance() is None
