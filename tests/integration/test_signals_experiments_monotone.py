"""docs/brief.md §9's experiment signals as of a moving time: what an as-of time shows (by id and ``raised_at``,
and ``cleared_at`` once cleared) every later as-of time shows too, whether the signal is still active or not.
An episode raised and mended within one day, and planted arm-summary sequences whose split breaks and mends at
random times, asked every third hour and around every summary, on both stores."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from domain.read_policy import OPERATOR
from projections.signals.active import signals_as_of
from projections.view_store import connect
from tests.support.scenario import Scenario
from tests.support.stores import STORES
from tests.support.views import projected_views

START = datetime(2026, 3, 2)
SEEDS = range(4)


def _summary(experiment: str, arm: str, n: int, at: datetime) -> dict[str, Any]:
    return {"type": "RecordArmSummary", "experiment": experiment, "arm": arm, "n": n, "sum": 75.0 * n,
            "sum_squares": (75.0 ** 2 + 25) * n, "at": at.isoformat() + "Z"}


def _mended_the_same_day() -> list[dict[str, Any]]:
    """``m``: 50 / 50 at 08:00, 200 control at 14:00 (the split breaks), 200 treatment at 20:00 (it mends)."""
    return [_summary("m", "control", 50, START + timedelta(hours=8)),
            _summary("m", "treatment", 50, START + timedelta(hours=8)),
            _summary("m", "control", 200, START + timedelta(hours=14)),
            _summary("m", "treatment", 200, START + timedelta(hours=20))]


def _planted(seed: int) -> list[dict[str, Any]]:
    """``p<seed>``: 12 summaries at random minutes over three days, each arm's count drawn so that the split
    breaks and mends now and then, sometimes within an hour, sometimes across days."""
    rng = random.Random(seed)
    times = sorted(START + timedelta(minutes=rng.randrange(3 * 24 * 60)) for _ in range(12))
    return [_summary(f"p{seed}", rng.choice(("control", "treatment")), rng.choice((5, 20, 40, 80, 160)), at)
            for at in times]


def _lines() -> list[dict[str, Any]]:
    scenario = Scenario(at="2026-03-01T00:00:00Z").team("deli").metric("ontime")
    for key in ["m", *(f"p{seed}" for seed in SEEDS)]:
        scenario.add("ProposeExperiment", experiment=key, team="deli", hypothesis="Trays", metric="ontime",
                     design="ab", mde=0.05).add("StartExperiment", experiment=key)
    return [*scenario, *_mended_the_same_day(), *(line for seed in SEEDS for line in _planted(seed))]


LINES = _lines()


@pytest.fixture(scope="module", params=STORES)
def views(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return projected_views(LINES, request.param, tmp_path_factory.mktemp(f"experiment-monotone-{request.param}"))


Seen = dict[str, tuple[str, str, str, str | None]]


def _seen(views: Path, moments: list[datetime]) -> dict[datetime, Seen]:
    """{as-of time: {id: (kind, subject, raised_at, cleared_at)}} of the experiment signals, cleared ones too."""
    con = connect(views)
    try:
        return {at: {s["id"]: (s["kind"], s["subject"]["key"], s["raised_at"], s.get("cleared_at"))
                     for s in (signal.as_json() for signal in signals_as_of(con, at, OPERATOR, include_cleared=True))
                     if s["kind"].startswith("experiment_")} for at in moments}
    finally:
        con.close()


def test_a_signal_raised_then_mended_later_the_same_day_stays_in_every_later_as_of(views: Path) -> None:
    moments = [START + timedelta(hours=h) for h in (13, 14, 14.5, 15, 19, 20.5, 21, 23.9, 30)] + [datetime(2026, 3, 10)]
    seen = _seen(views, moments)
    srm = {at: [v for v in found.values() if v[:2] == ("experiment_srm", "m")] for at, found in seen.items()}
    ids = {at: [i for i, v in seen[at].items() if v[:2] == ("experiment_srm", "m")] for at in moments}
    assert srm[moments[0]] == srm[moments[1]] == srm[moments[2]] == []  # its hour is not over at 14:00 or 14:30
    raised = [("experiment_srm", "m", "2026-03-02T14:00:00+00:00", None)]
    assert srm[START + timedelta(hours=15)] == srm[START + timedelta(hours=19)] == raised
    assert srm[START + timedelta(hours=20.5)] == raised  # the mending summary's hour is not over yet
    cleared = [("experiment_srm", "m", "2026-03-02T14:00:00+00:00", "2026-03-02T20:00:00+00:00")]
    for at in moments[6:]:  # the same day after the mending, the next day, a week later
        assert srm[at] == cleared, at
    assert len({i for at in moments[3:] for i in ids[at]}) == 1  # one id throughout


def _moments() -> list[datetime]:
    """Every third hour of the four days, and every summary's time and its hour's end, each also a microsecond
    before."""
    summaries = [datetime.fromisoformat(line["at"][:-1]) for line in LINES if line["type"] == "RecordArmSummary"]
    ends = [at.replace(minute=0) + timedelta(hours=1) for at in summaries]
    tick = timedelta(microseconds=1)
    return sorted({START + timedelta(hours=3 * k) for k in range(4 * 8)}
                  | {t + d for t in summaries + ends for d in (-tick, timedelta(0))})


def test_what_an_as_of_time_shows_every_later_one_shows_with_the_same_id_and_times(views: Path) -> None:
    moments = _moments()
    seen = _seen(views, moments)
    kinds = {v[0] for found in seen.values() for v in found.values()}
    cleared = {i for found in seen.values() for i, v in found.items() if v[3] is not None}
    assert {"experiment_srm", "experiment_ready"} <= kinds and cleared  # the planted data turns both ways
    for earlier, later in pairwise(moments):
        for i, (kind, key, raised_at, cleared_at) in seen[earlier].items():
            assert i in seen[later], (earlier, later, kind, key)
            assert seen[later][i][2] == raised_at, (earlier, later, kind, key)
            if cleared_at is not None:
                assert seen[later][i][3] == cleared_at, (earlier, later, kind, key)
