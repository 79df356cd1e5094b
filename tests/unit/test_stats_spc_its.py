"""XmR limits and Western Electric signals; the interrupted-time-series regression."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
import statsmodels.api as sm

from projections.experiment_stats import its, spc

# NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.2.2 "Individuals Control Charts"
# (https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc322.htm): flow rate of the first 10 batches,
# x̄ = 50.81, MR̄ = 1.8778, UCL = 55.80, LCL = 45.82, moving-range UCL = 6.13.
NIST_FLOW = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def test_xmr_limits_nist_example() -> None:
    lim = spc.limits(NIST_FLOW)
    assert lim is not None
    assert lim["center"] == pytest.approx(50.81, abs=5e-3)
    assert lim["mr_bar"] == pytest.approx(1.8778, abs=5e-5)
    assert lim["unpl"] == pytest.approx(55.80, abs=6e-3)
    assert lim["lnpl"] == pytest.approx(45.82, abs=6e-3)
    assert lim["mr_upper"] == pytest.approx(6.13, abs=5e-3)
    # and exactly the closed form of docs/brief.md §6
    center, mr = np.mean(NIST_FLOW), np.mean(np.abs(np.diff(NIST_FLOW)))
    assert lim["center"] == pytest.approx(center, rel=1e-12)
    assert lim["mr_bar"] == pytest.approx(mr, rel=1e-12)
    assert lim["unpl"] == pytest.approx(center + 2.66 * mr, rel=1e-12)
    assert lim["lnpl"] == pytest.approx(center - 2.66 * mr, rel=1e-12)
    assert lim["mr_upper"] == pytest.approx(3.267 * mr, rel=1e-12)


def _signals(after: list[float], center: float = 0.0, mr_bar: float = 1.128) -> set[tuple[int, int]]:
    """(index, rule) pairs with σ = 1 (mR̄ = 1.128)."""
    return {(s["at"], s["rule"]) for s in spc.signals(list(enumerate(after)), center, mr_bar)}


def test_western_electric_rules() -> None:
    assert _signals([0.1, 3.5, -0.2]) == {(1, 1)}  # one point beyond 3σ
    assert _signals([2.5, 0.1, 2.4]) == {(2, 2)}  # two of three beyond 2σ on one side
    assert _signals([2.5, -2.5, 0.1]) == set()  # ... on opposite sides: nothing
    assert _signals([1.5, 1.2, 0.3, 1.4, 1.1]) == {(4, 3)}  # four of five beyond 1σ
    assert _signals([0.5] * 8) == {(7, 4)}  # eight in a row on one side
    assert _signals([0.5] * 9) == {(7, 4), (8, 4)}
    assert _signals([-0.5] * 7 + [0.5]) == set()


def test_spc_chart_needs_two_baseline_readings() -> None:
    block, because = spc.chart([1.0], [(0, 5.0)])
    assert block is None and because is not None and "two baseline readings" in because


def _series() -> tuple[list[tuple[datetime, float]], datetime]:
    rng = np.random.default_rng(5)
    start = datetime(2026, 3, 1)
    points = []
    for day in range(-30, 30):
        level = 50 + 0.1 * day + (-6 + 0.05 * day if day >= 0 else 0)
        points.append((start + timedelta(days=day), float(level + rng.normal(0, 1))))
    return points, start


def test_its_segmented_regression_newey_west_matches_statsmodels() -> None:
    points, start = _series()
    block, because = its.segmented(points, start)
    assert because is None and block is not None
    t = np.array([(at - start).days for at, _ in points], dtype=float)
    d = (t >= 0).astype(float)
    y = np.array([v for _, v in points])
    x = np.column_stack([np.ones_like(t), t, d, t * d])
    coef = np.linalg.lstsq(x, y, rcond=None)[0]  # the estimates by plain least squares
    assert block["level_change"] == pytest.approx(coef[2], rel=1e-9)
    assert block["slope_change"] == pytest.approx(coef[3], rel=1e-9)
    fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": int(4 * (60 / 100) ** (2 / 9))})
    assert block["level_p_value"] == pytest.approx(fit.pvalues[2], rel=1e-9)
    assert block["slope_p_value"] == pytest.approx(fit.pvalues[3], rel=1e-9)
    assert block["level_change"] == pytest.approx(-6, abs=1.5) and block["level_p_value"] < 0.001


def test_its_needs_readings_on_both_sides() -> None:
    points, start = _series()
    block, because = its.segmented([p for p in points if p[0] < start] + points[30:31], start)
    assert block is None and because is not None and "two readings" in because
