"""Welch, delta-method lift, proportions, sequential intervals and non-inferiority against independent
computations (scipy on the raw data, or the closed form) to 1e-9 relative."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats

from projections.experiment_stats import frequentist, sequential
from projections.experiment_stats.frequentist import ArmEstimate, Estimate
from projections.experiment_stats.sufficient import from_sums
from tests.support.stats import REL, row, run

RNG = random.Random(20261129)
CONTROL = [RNG.gauss(50, 8) for _ in range(120)]
TREATMENT = [RNG.gauss(53, 11) for _ in range(95)]


def test_welch_matches_scipy_on_raw_data() -> None:
    result = run({"control": CONTROL, "treatment": TREATMENT}, alpha=0.1)
    r = row(result)
    expected = stats.ttest_ind(TREATMENT, CONTROL, equal_var=False)
    low, high = expected.confidence_interval(0.9)
    assert r["abs_diff"] == pytest.approx(np.mean(TREATMENT) - np.mean(CONTROL), rel=REL)
    assert r["p_value"] == pytest.approx(expected.pvalue, rel=REL)
    assert (r["abs_ci_low"], r["abs_ci_high"]) == (pytest.approx(low, rel=REL), pytest.approx(high, rel=REL))


def test_welch_from_sufficient_statistics_published_example() -> None:
    """The summary data of scipy's ttest_ind_from_stats example (mean 15, var 87.5, n 13 vs mean 12,
    var 39, n 11; https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.ttest_ind_from_stats.html),
    given to us as sums; Welch's t = 3/sqrt(87.5/13 + 39/11) = 0.93585 by hand."""
    def sums(mean: float, var: float, n: int) -> tuple[int, float, float]:
        return n, mean * n, var * (n - 1) + n * mean * mean

    a, b = from_sums(*sums(15.0, 87.5, 13)), from_sums(*sums(12.0, 39.0, 11))
    diff = frequentist.absolute(ArmEstimate(b.n, b.mean * b.scale, b.variance() * b.scale**2),  # type: ignore[operator]
                                ArmEstimate(a.n, a.mean * a.scale, a.variance() * a.scale**2))  # type: ignore[operator]
    assert diff is not None
    t_stat = diff.value / diff.se
    assert t_stat == pytest.approx(3 / math.sqrt(87.5 / 13 + 39 / 11), rel=REL)
    assert t_stat == pytest.approx(0.93585, abs=1e-5)
    expected = stats.ttest_ind_from_stats(15.0, math.sqrt(87.5), 13, 12.0, math.sqrt(39.0), 11, equal_var=False)
    assert frequentist.two_sided(diff, 0.05)[2] == pytest.approx(expected.pvalue, rel=REL)


def test_delta_method_lift_closed_form() -> None:
    """GrowthBook (https://docs.growthbook.io/statistics/details): Var(lift) = σ²T/(nT μC²) + μT² σ²C/(nC μC⁴)."""
    r = row(run({"control": CONTROL, "treatment": TREATMENT}))
    mc, mt = np.mean(CONTROL), np.mean(TREATMENT)
    vc, vt = np.var(CONTROL, ddof=1), np.var(TREATMENT, ddof=1)
    nc, nt = len(CONTROL), len(TREATMENT)
    var = vt / (nt * mc**2) + mt**2 * vc / (nc * mc**4)
    df = (vc / nc + vt / nt) ** 2 / ((vc / nc) ** 2 / (nc - 1) + (vt / nt) ** 2 / (nt - 1))
    lift = mt / mc - 1
    half = stats.t.ppf(0.975, df) * math.sqrt(var)
    assert r["lift"] == pytest.approx(lift, rel=REL)
    assert r["lift_ci_low"] == pytest.approx(lift - half, rel=REL)
    assert r["lift_ci_high"] == pytest.approx(lift + half, rel=REL)
    assert r["lift_p_value"] == pytest.approx(2 * stats.t.sf(abs(lift) / math.sqrt(var), df), rel=REL)


def test_delta_method_worked_numbers() -> None:
    """A worked example by hand: μC = 10, σ²C = 4, nC = 100, μT = 11, σ²T = 9, nT = 100:
    Var = 9/(100·100) + 121·4/(100·10⁴) = 0.0009 + 0.000484 = 0.001384."""
    lift = frequentist.relative(ArmEstimate(100, 10.0, 4.0), ArmEstimate(100, 11.0, 9.0))
    assert lift is not None
    assert lift.value == pytest.approx(0.1, rel=REL)
    assert lift.variance == pytest.approx(0.001384, rel=REL)


def test_proportions_use_p_one_minus_p() -> None:
    control = [1.0] * 30 + [0.0] * 170
    treatment = [1.0] * 48 + [0.0] * 152
    r = row(run({"control": control, "treatment": treatment}, kind="proportion"))
    pc, pt = 30 / 200, 48 / 200
    se2c, se2t = pc * (1 - pc) / 200, pt * (1 - pt) / 200
    se = math.sqrt(se2c + se2t)
    df = (se2c + se2t) ** 2 / (se2c**2 / 199 + se2t**2 / 199)
    assert r["abs_diff"] == pytest.approx(pt - pc, rel=REL)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf((pt - pc) / se, df), rel=REL)
    assert r["abs_ci_low"] == pytest.approx(pt - pc - stats.t.ppf(0.975, df) * se, rel=REL)


def test_sequential_interval_closed_form_and_p_consistency() -> None:
    r = row(run({"control": CONTROL, "treatment": TREATMENT}, sequential=True, tuning=2000))
    n = len(CONTROL) + len(TREATMENT)
    se2 = np.var(CONTROL, ddof=1) / len(CONTROL) + np.var(TREATMENT, ddof=1) / len(TREATMENT)
    rho2 = (-2 * math.log(0.05) + math.log(-2 * math.log(0.05) + 1)) / 2000
    half = math.sqrt(se2 * n) * math.sqrt(2 * (n * rho2 + 1) / (n**2 * rho2) * math.log(math.sqrt(n * rho2 + 1) / 0.05))
    diff = np.mean(TREATMENT) - np.mean(CONTROL)
    assert r["abs_ci_low"] == pytest.approx(diff - half, rel=REL)
    assert r["abs_ci_high"] == pytest.approx(diff + half, rel=REL)
    fixed = stats.ttest_ind(TREATMENT, CONTROL, equal_var=False).confidence_interval(0.95)
    assert r["abs_ci_high"] - r["abs_ci_low"] > fixed.high - fixed.low  # peeking costs width
    assert (r["p_value"] < 0.05) == (r["abs_ci_low"] > 0 or r["abs_ci_high"] < 0)


@pytest.mark.parametrize("value", [0.05, 0.3, 0.8, 1.5, 3.0])
def test_sequential_p_is_the_alpha_at_which_zero_leaves_the_interval(value: float) -> None:
    est = Estimate(value, 0.04, math.inf)
    p = sequential.p_value(est, 400, 5000)
    for alpha in (0.001, 0.01, 0.05, 0.1, 0.2):
        low, _ = sequential.interval(est, 400, alpha, 5000)
        assert (p < alpha) == (low > 0), (p, alpha, low)
    if 0 < p < 1:
        assert sequential.halfwidth(est, 400, p, 5000) == pytest.approx(value, rel=1e-9)


def test_non_inferiority_one_sided_against_minus_margin() -> None:
    r = row(run({"control": CONTROL, "treatment": TREATMENT}, non_inferiority_margin=0.02))
    mc, mt = np.mean(CONTROL), np.mean(TREATMENT)
    vc, vt = np.var(CONTROL, ddof=1) / len(CONTROL), np.var(TREATMENT, ddof=1) / len(TREATMENT)
    se = math.sqrt((vt + vc * (mt / mc) ** 2) / mc**2)
    df = (vc + vt) ** 2 / (vc**2 / (len(CONTROL) - 1) + vt**2 / (len(TREATMENT) - 1))
    assert r["non_inferiority_p_value"] == pytest.approx(stats.t.sf((mt / mc - 1 + 0.02) / se, df), rel=REL)
