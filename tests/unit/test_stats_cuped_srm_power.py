"""CUPED, sample ratio mismatch and power against independent computations."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from tests.support.stats import REL, row, run

RNG = random.Random(11)
PRE_C = [RNG.gauss(100, 15) for _ in range(300)]
PRE_T = [RNG.gauss(100, 15) for _ in range(280)]
POST_C = [0.8 * x + RNG.gauss(0, 6) for x in PRE_C]
POST_T = [0.8 * x + 3 + RNG.gauss(0, 6) for x in PRE_T]


def test_cuped_theta_adjusted_difference_and_variance_reduction() -> None:
    r = row(run({"control": POST_C, "treatment": POST_T}, {"control": PRE_C, "treatment": PRE_T}))
    xc, xt, yc, yt = map(np.array, (PRE_C, PRE_T, POST_C, POST_T))
    # θ pooled within arms = the slope of y on x with an arm indicator (OLS, statsmodels).
    x = np.concatenate([xc, xt])
    d = np.concatenate([np.zeros(len(xc)), np.ones(len(xt))])
    fit = sm.OLS(np.concatenate([yc, yt]), sm.add_constant(np.column_stack([d, x]))).fit()
    theta = fit.params[2]
    assert r["cuped_theta"] == pytest.approx(theta, rel=REL)
    # The adjusted difference equals the ANCOVA treatment coefficient.
    assert r["abs_diff"] == pytest.approx(fit.params[1], rel=REL)
    adj_c, adj_t = yc - theta * xc, yt - theta * xt
    welch = stats.ttest_ind(adj_t, adj_c, equal_var=False)
    assert r["p_value"] == pytest.approx(welch.pvalue, rel=REL)
    raw_var = yc.var(ddof=1) / len(yc) + yt.var(ddof=1) / len(yt)
    adj_var = adj_c.var(ddof=1) / len(yc) + adj_t.var(ddof=1) / len(yt)
    assert r["variance_reduction"] == pytest.approx(1 - adj_var / raw_var, rel=REL)
    assert r["variance_reduction"] > 0.5


def test_cuped_needs_every_unit_to_carry_a_covariate() -> None:
    from projections.experiment_stats.analysis import analyse
    from projections.experiment_stats.config import Plan
    from projections.experiment_stats.sufficient import from_values

    data = {("control", "m"): from_values(POST_C, PRE_C), ("treatment", "m"): from_values(POST_T)}
    r = analyse(Plan(metric="m"), data, "running")["comparisons"][0]
    assert r["cuped_theta"] is None and r["variance_reduction"] is None
    assert r["p_value"] == pytest.approx(stats.ttest_ind(POST_T, POST_C, equal_var=False).pvalue, rel=REL)


def test_srm_pearson_chi_square_against_weights() -> None:
    arms = {"control": [1.0] * 520, "treatment": [1.0] * 300, "b": [2.0] * 180}
    result = run(arms, weights=(2.0, 1.0, 1.0))
    expected = [500.0, 250.0, 250.0]
    chi2 = stats.chisquare([520, 300, 180], expected)
    assert result["srm"]["expected"] == pytest.approx(expected, rel=REL)
    assert result["srm"]["observed"] == [520, 300, 180]
    assert result["srm"]["p_value"] == pytest.approx(chi2.pvalue, rel=REL)
    assert result["srm"]["mismatch"] is True
    assert result["recommendation"] == "inconclusive"
    assert "planned weights" in result["because"]


def test_srm_false_alarm_rate_under_correct_splits() -> None:
    """1,000 seeded experiments with a true 50/30/20 split: at p < 0.001 about 1 false alarm is expected."""
    from projections.experiment_stats.srm_power import srm

    rng = np.random.default_rng(2026)
    alarms = 0
    for _ in range(1000):
        counts = rng.multinomial(5000, [0.5, 0.3, 0.2])
        alarms += srm([int(c) for c in counts], [5, 3, 2])["mismatch"]
    assert alarms / 1000 <= 0.002


def test_power_closed_form() -> None:
    control = [RNG.gauss(40, 10) for _ in range(400)]
    treatment = [RNG.gauss(41, 12) for _ in range(380)]
    result = run({"control": control, "treatment": treatment}, mde=0.05, power=0.9, alpha=0.01)
    mc = np.mean(control)
    vc, vt = np.var(control, ddof=1), np.var(treatment, ddof=1)
    delta = 0.05 * mc
    z = stats.norm.ppf(1 - 0.01 / 2)
    needed = (z + stats.norm.ppf(0.9)) ** 2 * (vc + vt) / delta**2
    assert result["power"]["n_per_arm_needed"] == math.ceil(needed)
    se = math.sqrt(vc / 400 + vt / 380)
    achieved = stats.norm.cdf(delta / se - z) + stats.norm.cdf(-delta / se - z)
    assert result["power"]["achieved"] == pytest.approx(achieved, rel=REL)


def test_power_matches_statsmodels_for_equal_variances() -> None:
    """With equal arm variances the n per arm equals statsmodels' normal-approximation solve."""
    from statsmodels.stats.power import NormalIndPower

    from projections.experiment_stats.srm_power import n_per_arm

    effect = 0.05 * 50 / 10  # δ / σ
    theirs = NormalIndPower().solve_power(effect_size=effect, alpha=0.05, power=0.8, ratio=1.0)
    assert n_per_arm(0.05, 50.0, 100.0, 100.0, 0.05, 0.8) == math.ceil(theirs)
