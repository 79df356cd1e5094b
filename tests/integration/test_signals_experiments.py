"""docs/brief.md §9's experiment signals on real stores and a real views file: ``experiment_srm``,
``experiment_guardrail_harmed`` and ``experiment_ready`` are raised at the observation whose results
(``experiment show`` as of its time) first say so, seen once that observation's hour is over, cleared at the
first observation whose results no longer do or at the conclusion, with the same ids whatever the as-of time,
and seen by the experiment's team only."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.read_policy import OPERATOR, Viewer
from projections.experiments import experiments
from projections.signals.active import signals_as_of
from projections.view_store import connect
from tests.support.scenario import Scenario
from tests.support.stores import STORES
from tests.support.views import projected_views

DAY = datetime(2026, 3, 2, 8)
CONCLUDED = "2026-03-07T12:00:00Z"


def _units() -> list[dict[str, Any]]:
    """Day 1: 20 units in each arm, alike. Day 2: 60 control units only (the split breaks). Day 3: 60 treatment
    units only (it mends), whose waits (a guardrail, lower is better) are far longer."""
    rng = random.Random(3)
    arms = ["control", "treatment"] * 20 + ["control"] * 60 + ["treatment"] * 60
    days = [0] * 40 + [1] * 60 + [2] * 60
    found = []
    for n, (arm, day) in enumerate(zip(arms, days, strict=True)):
        at = (DAY + timedelta(days=day, minutes=5 * (n % 60))).isoformat() + "Z"
        wait = rng.gauss(20 if day == 2 and arm == "treatment" else 10, 2)
        found += [{"type": "RecordObservation", "experiment": "x", "arm": arm, "value": rng.gauss(80, 5), "at": at},
                  {"type": "RecordObservation", "experiment": "x", "arm": arm, "metric": "wait", "value": wait,
                   "at": at}]
    return found


def _sequential() -> list[dict[str, Any]]:
    """Experiment ``y`` (the bakery's, sequential, no mde): 30 units a day in each arm, treatment 10 points
    better; its always-valid test reaches a decision on some day."""
    rng = random.Random(5)
    return [{"type": "RecordObservation", "experiment": "y", "arm": arm, "value": rng.gauss(mean, 5),
             "at": (DAY + timedelta(days=day, minutes=n)).isoformat() + "Z"}
            for day in range(3) for n in range(30) for arm, mean in (("control", 70), ("treatment", 80))]


def _summaries() -> list[dict[str, Any]]:
    """Experiment ``z`` (the deli's) fed arm summaries only: 50 units an arm at 08:00, then 200 more
    control units at 14:00, which break the split."""
    def summary(arm: str, n: int, at: str) -> dict[str, Any]:
        return {"type": "RecordArmSummary", "experiment": "z", "arm": arm, "n": n, "sum": 75.0 * n,
                "sum_squares": (75.0 ** 2 + 25) * n, "at": f"2026-03-02T{at}:00Z"}
    return [summary("control", 50, "08:00"), summary("treatment", 50, "08:00"), summary("control", 200, "14:00")]


LINES: list[dict[str, Any]] = [
    *Scenario(at="2026-03-01T00:00:00Z").team("kitchen").team("bakery").team("deli").metric("ontime").metric("wait")
    .add("ProposeExperiment", experiment="x", team="kitchen", hypothesis="Pagers", metric="ontime", design="ab",
         guardrails=["wait"], mde=0.05)
    .add("StartExperiment", experiment="x")
    .add("ProposeExperiment", experiment="y", team="bakery", hypothesis="Ovens", metric="ontime", design="ab",
         sequential=True)
    .add("StartExperiment", experiment="y")
    .add("ProposeExperiment", experiment="z", team="deli", hypothesis="Trays", metric="ontime", design="ab")
    .add("StartExperiment", experiment="z"),
    *_units(),
    *_summaries(),
    *_sequential(),
    {"type": "ConcludeExperiment", "experiment": "x", "decision": "reject", "learning": "waits", "at": CONCLUDED},
]


@pytest.fixture(scope="module", params=STORES)
def views(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return projected_views(LINES, request.param, tmp_path_factory.mktemp(f"experiment-signals-{request.param}"))


def _signals(views: Path, at: datetime, viewer: Viewer = OPERATOR) -> dict[str, dict[str, Any]]:
    con = connect(views)
    try:
        return {s.kind: s.as_json() for s in signals_as_of(con, at, viewer, include_cleared=True)
                if s.kind.startswith("experiment_") and s.subject_key == "x"}
    finally:
        con.close()


def _first(views: Path, condition: Callable[[dict[str, Any]], bool], after: datetime | None = None,
           key: str = "x") -> datetime:
    """The first observation time of the experiment (after ``after``) at which ``experiment show`` as of then
    meets ``condition``: found the slow way, asking at every one."""
    con = connect(views)
    try:
        times = [at for (at,) in con.execute(
            "SELECT DISTINCT business_at FROM (SELECT business_at, experiment FROM observations UNION ALL "
            "SELECT business_at, experiment FROM arm_summaries) WHERE experiment = ? ORDER BY 1", [key]).fetchall()]
        return next(t for t in times if (after is None or t > after) and condition(experiments(con, t, key)[0]))
    finally:
        con.close()


def _iso(at: datetime) -> str:
    return at.isoformat() + "+00:00"


def _mismatch(view: dict[str, Any]) -> bool:
    return bool(view["srm"]["mismatch"])


def _harmed(view: dict[str, Any]) -> bool:
    return any(c["role"] == "guardrail" and c["verdict"] == "harmed" for c in view["comparisons"])


def _ready(view: dict[str, Any]) -> bool:
    needed = view["power"]["n_per_arm_needed"]
    return needed is not None and min(arm["n"] for arm in view["arms"]) >= needed


def test_each_kind_is_raised_and_cleared_where_the_experiments_own_analysis_turns(views: Path) -> None:
    srm_on = _first(views, _mismatch)
    srm_off = _first(views, lambda v: not _mismatch(v), srm_on)
    harmed, ready = _first(views, _harmed), _first(views, _ready)
    # the planted turns: the split breaks on day 2 and mends on day 3, whose waits are long; each inside its day
    assert (srm_on.date(), srm_off.date(), harmed.date()) == (date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 4))
    assert all(t.time() != time(0) for t in (srm_on, srm_off, harmed, ready))
    end = _signals(views, datetime(2026, 4, 1))
    assert (end["experiment_srm"]["raised_at"], end["experiment_srm"]["cleared_at"]) == (_iso(srm_on),
                                                                                          _iso(srm_off))
    assert end["experiment_srm"]["because"]["p_value"] < 0.001 and end["experiment_srm"]["severity"] == "warning"
    assert end["experiment_guardrail_harmed"]["raised_at"] == _iso(harmed)
    assert end["experiment_guardrail_harmed"]["because"]["metric"] == "wait"
    assert end["experiment_guardrail_harmed"]["severity"] == "critical"
    assert end["experiment_ready"]["raised_at"] == _iso(ready) and end["experiment_ready"]["severity"] == "info"
    assert end["experiment_ready"]["cleared_at"] == end["experiment_guardrail_harmed"]["cleared_at"] == \
        "2026-03-07T12:00:00+00:00"  # concluded
    assert {s["team"] for s in end.values()} == {"kitchen"} and end["experiment_ready"]["url"] == "/experiments/x"


@pytest.mark.parametrize("kind", ["experiment_srm", "experiment_guardrail_harmed", "experiment_ready"])
def test_as_of_before_the_end_of_the_hour_that_turned_it_there_is_no_signal_and_from_it_on_the_same(
        views: Path, kind: str) -> None:
    episode = _signals(views, datetime(2026, 4, 1))[kind]
    raised = datetime.fromisoformat(episode["raised_at"]).replace(tzinfo=None)
    over = raised.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for at in (raised - timedelta(microseconds=1), raised, over - timedelta(microseconds=1)):
        assert kind not in _signals(views, at)  # the hour in progress is not judged
    for at in (over, over + timedelta(minutes=1)):  # seen from the end of its hour on, before its day is over
        seen = _signals(views, at)[kind]
        assert (seen["id"], seen["raised_at"]) == (episode["id"], episode["raised_at"]) and "cleared_at" not in seen


def test_an_arm_summary_that_breaks_the_split_raises_at_its_own_time(views: Path) -> None:
    turned = _first(views, _mismatch, key="z")
    assert turned == datetime(2026, 3, 2, 14)  # the 200 control units; 50 / 50 before them was a fair split
    con = connect(views)
    try:
        (srm,) = [s for s in signals_as_of(con, datetime(2026, 4, 1), OPERATOR) if s.subject_key == "z"]
        before = [s for s in signals_as_of(con, turned - timedelta(seconds=1), OPERATOR) if s.subject_key == "z"]
    finally:
        con.close()
    assert (srm.kind, srm.raised_at, srm.team, before) == ("experiment_srm", turned, "deli", [])


def test_a_sequential_decision_is_ready_from_the_day_its_recommendation_is_ship(views: Path) -> None:
    decided = _first(views, lambda v: v["recommendation"] == "ship", key="y")
    con = connect(views)
    try:
        (ready,) = [s for s in signals_as_of(con, datetime(2026, 4, 1), OPERATOR, include_cleared=True)
                    if s.subject_key == "y"]
    finally:
        con.close()
    assert (ready.kind, ready.raised_at, ready.team) == ("experiment_ready", decided, "bakery")
    assert ready.because["sequential"] is True and ready.because["recommendation"] == "ship"


def test_the_experiments_team_sees_its_signals_and_another_team_none(views: Path) -> None:
    at = datetime(2026, 3, 5)
    con = connect(views)
    try:
        kitchen = signals_as_of(con, at, Viewer("kim", teams=frozenset({"kitchen"})))
        bakery = signals_as_of(con, at, Viewer("bo", teams=frozenset({"bakery"})))
        other = signals_as_of(con, at, Viewer("ola", teams=frozenset({"garden"})))
    finally:
        con.close()
    assert {(s.subject_key, s.kind) for s in kitchen} == {("x", "experiment_guardrail_harmed"),
                                                          ("x", "experiment_ready")}
    assert {s.subject_key for s in bakery} == {"y"} and other == []
