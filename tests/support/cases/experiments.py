"""Experiment outcomes as tests any road to `experiment show --json` can answer, checked against
independent scipy computations.

docs/brief.md §4: treatment minus control, two-sided Welch t-test, 95% Welch–Satterthwaite interval on the
difference, lift relative to the control mean; for `before_after`, treatment = the metric's readings
in [start, conclusion), control = its readings in [start − length, start).
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

import pytest
from scipy import stats

from tests.support.scenario import Scenario

SETUP = "2026-01-01T00:00:00Z"
CONTROL = [10.1, 9.8, 11.2, 10.5, 9.9, 10.7, 10.0, 10.4]
TREATMENT = [11.0, 11.8, 10.9, 12.3, 11.5, 11.1, 12.0]
OBSERVED_FROM = datetime(2026, 1, 3)


BA_START, BA_END = "2026-02-10T00:00:00Z", "2026-02-20T00:00:00Z"  # length 10 days: control from 2026-01-31


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _observations() -> list[dict[str, Any]]:
    """Observations one hour apart, arms interleaved: observation i is at OBSERVED_FROM + i hours."""
    values = [("control", v) for v in CONTROL] + [("treatment", v) for v in TREATMENT]
    order = sorted(range(len(values)), key=lambda i: (i % 8, i))
    return [
        {"type": "RecordObservation", "experiment": "ab", "arm": values[i][0], "value": values[i][1],
         "at": _z(OBSERVED_FROM + timedelta(hours=n))}
        for n, i in enumerate(order)
    ]


def _readings(metric: str, *readings: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"type": "RecordReading", "metric": metric, "value": value, "at": at} for at, value in readings]


BA_CONTROL = [20.0, 22.0, 19.0, 18.0, 21.0]
BA_TREATMENT = [15.0, 16.0, 14.0, 13.0]


LINES: list[dict[str, Any]] = [
    *Scenario(at=SETUP).team("team", "The team").metric("basket", name="basket", unit="EUR")
    .metric("wait", name="wait"),
    {"type": "ProposeExperiment", "experiment": "ab", "team": "team", "hypothesis": "bundles raise baskets",
     "metric": "basket", "design": "ab", "at": "2026-01-01T12:00:00Z"},
    {"type": "StartExperiment", "experiment": "ab", "at": "2026-01-02T00:00:00Z"},
    *_observations(),
    {"type": "ConcludeExperiment", "experiment": "ab", "decision": "adopt", "learning": "bundles work",
     "at": "2026-01-20T00:00:00Z"},
    {"type": "ProposeExperiment", "experiment": "ba", "team": "team", "hypothesis": "a second desk cuts waits",
     "metric": "wait", "design": "before_after", "at": "2026-01-15T00:00:00Z"},
    {"type": "StartExperiment", "experiment": "ba", "at": BA_START},
    {"type": "ConcludeExperiment", "experiment": "ba", "decision": "iterate", "learning": "helps, not enough",
     "at": BA_END},
    *_readings(
        "wait",
        ("2026-01-30T23:59:59Z", 1000),  # before the control window
        ("2026-01-31T00:00:00Z", 20),  # first instant of the control window: included
        ("2026-02-03T00:00:00Z", 22),
        ("2026-02-06T00:00:00Z", 19),
        ("2026-02-10T02:00:00+03:00", 18),  # 2026-02-09T23:00Z: before the start
        ("2026-02-09T23:59:59Z", 21),  # last second before the start: control
        ("2026-02-10T00:00:00Z", 15),  # the start itself: treatment
        ("2026-02-14T00:00:00Z", 16),
        ("2026-02-17T00:00:00Z", 14),
        ("2026-02-19T23:59:59Z", 13),  # last second before the conclusion: treatment
        ("2026-02-20T00:00:00Z", 1000),  # the conclusion itself: excluded
        ("2026-02-25T00:00:00Z", 1000),
    ),
    {"type": "ProposeExperiment", "experiment": "idea", "team": "team", "hypothesis": "not started yet",
     "metric": "basket", "design": "ab", "at": "2026-01-05T00:00:00Z"},
]


MID_AB = _z(OBSERVED_FROM + timedelta(hours=6))  # the first 7 observations, exactly up to the 7th
AS_OF = [("ab", MID_AB), ("ab", "2026-01-01T18:00:00Z"), ("ba", "2026-02-19T00:00:00Z")]


def check_against_scipy(view: dict[str, Any], control: list[float], treatment: list[float]) -> None:
    """Every number of the answer, against scipy and the statistics module."""
    arms = {arm["arm"]: arm for arm in view["arms"]}
    assert set(arms) == {"control", "treatment"}
    for name, values in (("control", control), ("treatment", treatment)):
        assert arms[name]["n"] == len(values)
        assert arms[name]["mean"] == pytest.approx(statistics.fmean(values), abs=1e-9)
        assert arms[name]["std"] == pytest.approx(statistics.stdev(values), abs=1e-9)  # sample std (n − 1)
    expected = stats.ttest_ind(treatment, control, equal_var=False)
    low, high = expected.confidence_interval(0.95)
    mean_c, mean_t = statistics.fmean(control), statistics.fmean(treatment)
    assert view["abs_diff"] == pytest.approx(mean_t - mean_c, abs=1e-9)
    assert view["lift"] == pytest.approx((mean_t - mean_c) / mean_c, abs=1e-9)
    assert view["p_value"] == pytest.approx(float(expected.pvalue), abs=1e-9)
    assert view["ci_low"] == pytest.approx(float(low), abs=1e-9)
    assert view["ci_high"] == pytest.approx(float(high), abs=1e-9)


class ExperimentOutcomes:
    """Every figure as a test of ``shown(experiment, as_of=None)``, the answer of ``experiment show --json``
    (each test module provides that fixture: its store and its road to the answer)."""

    def test_ab_matches_scipy_welch(self, shown: Any) -> None:
        view = shown("ab")
        assert (view["experiment"], view["design"], view["metric"]) == ("ab", "ab", "basket")
        assert (view["status"], view["decision"]) == ("concluded", "adopt")
        check_against_scipy(view, CONTROL, TREATMENT)
        assert view["ci_low"] > 0 and view["p_value"] < 0.05  # a clear effect in this data

    def test_ab_as_of_while_running(self, shown: Any) -> None:
        view = shown("ab", MID_AB)
        assert (view["status"], view["decision"]) == ("running", None)
        order = sorted(range(15), key=lambda i: (i % 8, i))[:7]  # the observations recorded by then
        values = CONTROL + TREATMENT
        control = [values[i] for i in order if i < len(CONTROL)]
        treatment = [values[i] for i in order if i >= len(CONTROL)]
        assert len(control) >= 2 and len(treatment) >= 2
        check_against_scipy(view, control, treatment)

    def test_ab_as_of_before_start(self, shown: Any) -> None:
        view = shown("ab", "2026-01-01T18:00:00Z")
        assert (view["status"], view["decision"]) == ("proposed", None)
        assert [arm["n"] for arm in view["arms"]] == [0, 0]

    def test_before_after_windows(self, shown: Any) -> None:
        view = shown("ba")
        assert (view["status"], view["decision"], view["design"]) == ("concluded", "iterate", "before_after")
        check_against_scipy(view, BA_CONTROL, BA_TREATMENT)
        assert view["abs_diff"] == pytest.approx(14.5 - 20.0, abs=1e-9)

    def test_before_after_as_of_before_conclusion(self, shown: Any) -> None:
        view = shown("ba", "2026-02-19T00:00:00Z")
        assert (view["status"], view["decision"]) == ("running", None)
        treatment = {arm["arm"]: arm for arm in view["arms"]}["treatment"]
        assert treatment["n"] == 3  # the readings of 2026-02-10, 14 and 17 recorded by then; nothing after T

    def test_proposed_experiment(self, shown: Any) -> None:
        view = shown("idea")
        assert (view["status"], view["decision"], view["design"]) == ("proposed", None, "ab")
        assert [arm["n"] for arm in view["arms"]] == [0, 0]
        assert view["p_value"] is None
