"""Bayesian chance to win, credible interval and risk; Holm and Benjamini–Hochberg adjustments."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.multitest import multipletests

from projections.experiment_stats import bayesian, multiple
from tests.support.stats import REL, row, run

RNG = random.Random(7)
CONTROL = [RNG.gauss(20, 4) for _ in range(150)]
TREATMENT = [RNG.gauss(20.8, 4) for _ in range(150)]


def _lift_and_variance() -> tuple[float, float]:
    mc, mt = np.mean(CONTROL), np.mean(TREATMENT)
    vc, vt = np.var(CONTROL, ddof=1) / len(CONTROL), np.var(TREATMENT, ddof=1) / len(TREATMENT)
    return mt / mc - 1, (vt + vc * (mt / mc) ** 2) / mc**2


def test_chance_to_win_credible_interval_and_risk_improper_prior() -> None:
    r = row(run({"control": CONTROL, "treatment": TREATMENT}, engine="bayesian"))
    lift, var = _lift_and_variance()
    sd = math.sqrt(var)
    assert r["chance_to_win"] == pytest.approx(stats.norm.cdf(lift / sd), rel=REL)
    z = stats.norm.ppf(0.975)
    assert r["lift_ci_low"] == pytest.approx(lift - z * sd, rel=REL)
    assert r["lift_ci_high"] == pytest.approx(lift + z * sd, rel=REL)
    # Expected loss by numerical integration over the posterior, independent of the closed form.
    pdf = stats.norm(lift, sd).pdf
    gain, _ = integrate.quad(lambda x: x * pdf(x), 0, np.inf)
    loss, _ = integrate.quad(lambda x: -x * pdf(x), -np.inf, 0)
    assert r["risk"]["control"] == pytest.approx(gain, rel=1e-7)
    assert r["risk"]["treatment"] == pytest.approx(loss, rel=1e-7)


def test_chance_to_win_worked_example() -> None:
    """A lift of +2% with a standard error of 1%: P(lift > 0) = Φ(2) = 0.97725 (standard normal table)."""
    post = bayesian.posterior(0.02, 0.01**2)
    assert bayesian.chance_to_win(post, True) == pytest.approx(0.977249868, rel=1e-8)
    assert bayesian.chance_to_win(post, False) == pytest.approx(1 - 0.977249868, rel=1e-7)


def test_proper_prior_shrinks_towards_its_mean() -> None:
    lift, var = _lift_and_variance()
    r = row(run({"control": CONTROL, "treatment": TREATMENT}, engine="bayesian", prior_mean=0.0,
                prior_stddev=0.01))
    precision = 1 / var + 1 / 0.01**2
    mean, sd = (lift / var) / precision, math.sqrt(1 / precision)
    assert r["chance_to_win"] == pytest.approx(stats.norm.sf(0, mean, sd), rel=REL)
    assert abs(mean) < abs(lift)


def test_lower_is_better_wins_when_the_metric_falls() -> None:
    from projections.experiment_stats.analysis import analyse
    from projections.experiment_stats.config import Plan
    from projections.experiment_stats.sufficient import from_values

    plan = Plan(metric="m", lower_is_better=frozenset({"m"}), engine="bayesian")
    data = {("control", "m"): from_values(TREATMENT), ("treatment", "m"): from_values(CONTROL)}
    r = analyse(plan, data, "running")["comparisons"][0]
    mc, mt = np.mean(TREATMENT), np.mean(CONTROL)  # swapped: the "treatment" arm is lower
    vc, vt = np.var(TREATMENT, ddof=1) / len(TREATMENT), np.var(CONTROL, ddof=1) / len(CONTROL)
    sd = math.sqrt((vt + vc * (mt / mc) ** 2) / mc**2)
    assert r["lift"] < 0
    assert r["chance_to_win"] == pytest.approx(stats.norm.cdf(-(mt / mc - 1) / sd), rel=REL)
    assert r["risk"]["treatment"] < r["risk"]["control"]


# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57(1), section 4.3: 15 p-values of a clinical trial;
# at q = 0.05 the step-up procedure rejects the 4 smallest, Holm's (Bonferroni-type) procedure the 3 smallest.
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
           0.6528, 0.7590, 1.0000]


def test_benjamini_hochberg_published_example() -> None:
    adjusted = multiple.adjust(list(BH_1995), "benjamini_hochberg")
    assert sum(p < 0.05 for p in adjusted) == 4  # type: ignore[operator]
    assert adjusted == pytest.approx(list(multipletests(BH_1995, method="fdr_bh")[1]), rel=REL)


def test_holm_published_example() -> None:
    adjusted = multiple.adjust(list(BH_1995), "holm")
    assert sum(p < 0.05 for p in adjusted) == 3  # type: ignore[operator]
    assert adjusted == pytest.approx(list(multipletests(BH_1995, method="holm")[1]), rel=REL)


@pytest.mark.parametrize("method,theirs", [("holm", "holm"), ("benjamini_hochberg", "fdr_bh")])
def test_adjustments_match_statsmodels_on_random_p_values(method: str, theirs: str) -> None:
    rng = random.Random(3)
    for size in (1, 2, 5, 17):
        ps = [rng.random() ** 3 for _ in range(size)]
        assert multiple.adjust(list(ps), method) == pytest.approx(list(multipletests(ps, method=theirs)[1]), rel=REL)


def test_none_in_the_family_is_skipped() -> None:
    assert multiple.adjust([0.01, None, 0.04], "holm") == [pytest.approx(0.02), None, pytest.approx(0.04)]
    assert multiple.adjust([0.01, None], "none") == [0.01, None]


def test_multi_arm_comparisons_are_holm_adjusted_across_arms() -> None:
    arms = {"control": CONTROL, "treatment": TREATMENT, "b": [v + 0.3 for v in CONTROL]}
    result = run(arms)
    raw = [row(result, arm)["p_value"] for arm in ("treatment", "b")]
    expected = multipletests(raw, method="holm")[1]
    assert [row(result, arm)["p_adjusted"] for arm in ("treatment", "b")] == pytest.approx(list(expected), rel=REL)
    for arm in ("treatment", "b"):
        assert row(result, arm)["p_value"] == pytest.approx(
            stats.ttest_ind(arms[arm], CONTROL, equal_var=False).pvalue, rel=REL)
