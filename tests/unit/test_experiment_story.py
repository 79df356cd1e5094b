"""The one presentation of an experiment (projections.rendering.experiment_story) on real outcomes: the
lines projected in memory, analysed, then told; what it leads with, how it names methods and arms, and
the cumulative series it draws."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from projections.rendering.effect_chart import over_time_chart
from projections.rendering.experiment_story import story
from tests.support.scenario import Scenario
from tests.support.views import answered_in_memory

AT = "2026-01-01T00:00:00Z"
RNG = random.Random(7)


def _experiment(key: str, arms: dict[str, list[float]], days: int = 10, **plan: Any) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [
        {"type": "ProposeExperiment", "experiment": key, "team": "t", "hypothesis": "h", "metric": "basket",
         "design": "ab", "arms": list(arms), "at": "2026-01-02T00:00:00Z", **plan},
        {"type": "StartExperiment", "experiment": key, "at": "2026-01-03T00:00:00Z"}]
    for arm, values in arms.items():
        lines += [{"type": "RecordObservation", "experiment": key, "arm": arm, "value": v,
                   "at": f"2026-01-{4 + i * days // len(values):02d}T{i % 24:02d}:00:00Z"}
                  for i, v in enumerate(values)]
    return sorted(lines, key=lambda line: line["at"])


def _normal(mean: float, n: int, sd: float = 5.0) -> list[float]:
    return [RNG.gauss(mean, sd) for _ in range(n)]


LINES = [
    *Scenario(at=AT).team("t").metric("basket", name="basket", unit="EUR"),
    *_experiment("srm", {"control": _normal(30, 40), "treatment": _normal(30, 12)}),
    *_experiment("three", {"control": _normal(30, 40), "small": _normal(30.5, 40), "big": _normal(36, 40)},
                 mde=0.05),
    *_experiment("bayes", {"control": _normal(30, 40), "treatment": _normal(34, 40)}, engine="bayesian"),
    *_experiment("seq", {"control": _normal(30, 40), "treatment": _normal(34, 40)}, sequential=True),
    *_experiment("summ", {"control": _normal(30, 20), "treatment": _normal(33, 20)}, days=5),
    {"type": "RecordArmSummary", "experiment": "summ", "arm": "treatment", "n": 30, "sum": 30 * 33.5,
     "sum_squares": 29 * 25 + 30 * 33.5 ** 2, "at": "2026-01-20T00:00:00Z"},
]


@pytest.fixture(scope="module")
def shown() -> Callable[..., Any]:
    return answered_in_memory(LINES, "experiment", ("srm", "three", "bayes", "seq", "summ"), [])


def test_a_mismatched_split_is_said_and_power_is_always_stated(shown: Callable[..., Any]) -> None:
    s = story(shown("srm"))
    assert s.srm_state == "mismatch" and "units 40 / 12" in s.srm and "do not trust any comparison" in s.srm
    assert s.recommendation == "inconclusive" and s.lead is not None and s.lead.arm == "treatment"
    assert s.power.startswith("Power: no planned effect size (mde)") and "12 units in the smallest arm" in s.power
    planned = story(shown("three"))
    assert planned.srm_state == "healthy" and "Sample ratio: healthy (units 40 / 40 / 40" in planned.srm
    assert "per arm needed for a 5% effect" in planned.power and "achieved power" in planned.power
    assert planned.power.endswith("(two-sided z approximation, α = 0.05, planned power 80%).")  # its method


def test_the_headline_rests_on_the_winning_arm_and_names_it(shown: Callable[..., Any]) -> None:
    view = shown("three")
    s = story(view)
    assert view["recommendation"] == "ship" and view["basis"] == {"arm": "big", "metric": "basket",
                                                                  "rule": "goal improved"}
    assert s.lead is not None and s.lead.pair == "big − control on basket" and s.lead.verdict == "better"
    assert s.lead.tone == "good" and s.lead.method == "Welch t-test"
    big = next(c for c in view["comparisons"] if c["arm"] == "big")
    assert big["p_value"] < 1e-4 and s.lead.evidence == "p < 0.0001"  # Holm's p, as small, is not repeated
    assert s.plain is not None and s.plain.pair == "small − control on basket"  # §4: the first treatment
    assert "plain Welch t-test" in s.plain.method and f"lift {view['lift']:+.1%}" in s.plain.text


def test_each_engine_names_its_method_and_its_interval(shown: Callable[..., Any]) -> None:
    bayes, seq = story(shown("bayes")), story(shown("seq"))
    assert bayes.lead is not None and bayes.lead.method == "Bayesian"
    assert bayes.lead.evidence.startswith("chance to win") and "95% credible interval [" in bayes.lead.lift
    assert "CI" not in bayes.lead.difference  # a Bayesian engine has no interval on the difference
    assert seq.lead is not None and seq.lead.method.startswith("sequential Welch test (N* = 5000)")
    assert "95% confidence sequence [" in seq.lead.difference


def test_the_cumulative_series_ends_at_the_headline_and_is_drawn_with_a_text_alternative(
        shown: Callable[..., Any]) -> None:
    view = shown("three")
    series = view["over_time"]
    assert series["arm"] == "big" and series["unit"] == "day" and len(series["points"]) == 10
    last, big = series["points"][-1], next(c for c in view["comparisons"] if c["arm"] == "big")
    assert (last["n_control"], last["n_treatment"]) == (40, 40)
    for name in ("lift", "lift_ci_low", "lift_ci_high", "p_value", "abs_diff"):
        assert last[name] == pytest.approx(big[name], rel=1e-12), name
    assert [p["n_treatment"] for p in series["points"]] == sorted(p["n_treatment"] for p in series["points"])
    s = story(view)
    svg = over_time_chart(view, s)
    assert "<desc>" in svg and s.over_time[-1][2] in svg and "lift (0 = no effect)" in svg
    assert len(s.over_time) == 10 and s.over_time[-1][1] == "40 / 40"


def test_arm_summaries_count_in_the_cumulative_series_from_their_day(shown: Callable[..., Any]) -> None:
    view = shown("summ")
    points = view["over_time"]["points"]
    assert [p["period_start"] for p in points] == [f"2026-01-{d:02d}" for d in (4, 5, 6, 7, 8, 20)]
    assert [p["n_treatment"] for p in points][-2:] == [20, 50] and points[-1]["n_control"] == 20
    row = view["comparisons"][0]
    assert points[-1]["lift"] == pytest.approx(row["lift"], rel=1e-12)
    assert points[-1]["p_value"] == pytest.approx(row["p_value"], rel=1e-9)
