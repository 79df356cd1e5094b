"""Property tests: summaries and raw observations agree; permuting units changes nothing; CUPED with an
independent covariate moves the estimate by no more than its noise."""

from __future__ import annotations

import math
import random
import statistics
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.sufficient import from_sums, from_values

VALUES = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=0, max_size=30)
PLANS = st.sampled_from([
    {}, {"engine": "bayesian"}, {"sequential": True, "tuning": 100}, {"mde": 0.1}, {"non_inferiority_margin": 0.05},
])


def _close(a: Any, b: Any, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], rel, abs_) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y, rel, abs_) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        # (a sample size is the ceiling of a float: the last bit of a huge one may round it to the next integer)
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
    return bool(a == b)


def _numbers_only(result: dict[str, Any]) -> dict[str, Any]:
    return {"comparisons": [{k: v for k, v in c.items() if k != "because"} for c in result["comparisons"]],
            "srm": result["srm"], "power": result["power"]}


@settings(max_examples=60, deadline=None)
@given(control=VALUES, treatment=VALUES, plan=PLANS)
def test_summaries_and_raw_observations_give_the_same_outputs(control: list[float], treatment: list[float],
                                                              plan: dict[str, Any]) -> None:
    raw = {("control", "m"): from_values(control), ("treatment", "m"): from_values(treatment)}
    summary = {
        ("control", "m"): from_sums(len(control), math.fsum(control), math.fsum(v * v for v in control)),
        ("treatment", "m"): from_sums(len(treatment), math.fsum(treatment), math.fsum(v * v for v in treatment)),
    }
    a = analyse(Plan(metric="m", **plan), raw, "running")
    b = analyse(Plan(metric="m", **plan), summary, "running")
    # Σy² - (Σy)²/n loses digits when the spread is tiny next to the mean: compare where the data has spread.
    spread = all(len(v) < 2 or max(v) - min(v) > 1e-3 * (1 + max(abs(x) for x in v)) for v in (control, treatment))
    if spread:
        assert _close(_numbers_only(a), _numbers_only(b), rel=1e-5, abs_=1e-7)
    assert a["recommendation"] in {"ship", "rollback", "continue", "inconclusive"}


@settings(max_examples=40, deadline=None)
@given(control=VALUES, treatment=VALUES, seed=st.integers(0, 10_000), plan=PLANS)
def test_permuting_units_changes_nothing(control: list[float], treatment: list[float], seed: int,
                                         plan: dict[str, Any]) -> None:
    rng = random.Random(seed)
    shuffled_c, shuffled_t = control[:], treatment[:]
    rng.shuffle(shuffled_c)
    rng.shuffle(shuffled_t)
    a = analyse(Plan(metric="m", **plan), {("control", "m"): from_values(control),
                                            ("treatment", "m"): from_values(treatment)}, "running")
    b = analyse(Plan(metric="m", **plan), {("control", "m"): from_values(shuffled_c),
                                            ("treatment", "m"): from_values(shuffled_t)}, "running")
    assert _close(_numbers_only(a), _numbers_only(b), rel=1e-9, abs_=1e-12)
    assert a["recommendation"] == b["recommendation"]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_cuped_with_an_independent_covariate_moves_the_estimate_by_no_more_than_its_noise(seed: int) -> None:
    rng = random.Random(seed)
    n = 200
    y_c = [rng.gauss(10, 3) for _ in range(n)]
    y_t = [rng.gauss(10.5, 3) for _ in range(n)]
    x_c = [rng.gauss(0, 5) for _ in range(n)]
    x_t = [rng.gauss(0, 5) for _ in range(n)]
    plain = analyse(Plan(metric="m"), {("control", "m"): from_values(y_c), ("treatment", "m"): from_values(y_t)},
                    "running")["comparisons"][0]
    adjusted = analyse(Plan(metric="m"), {("control", "m"): from_values(y_c, x_c),
                                          ("treatment", "m"): from_values(y_t, x_t)}, "running")["comparisons"][0]
    se = math.sqrt(statistics.variance(y_c) / n + statistics.variance(y_t) / n)  # the estimate's noise
    assert abs(adjusted["abs_diff"] - plain["abs_diff"]) <= se
    assert adjusted["variance_reduction"] < 0.1  # an unrelated covariate explains (almost) nothing
