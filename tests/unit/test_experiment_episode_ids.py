"""Experiment signals are judged at every hour's end, so one day can hold two episodes of a kind: each must get an
id of its own (delivery de-duplicates by id), and the day's first keeps the id it had before a second came."""

from __future__ import annotations

from datetime import datetime, timedelta

from projections.signals import experiment_checks as checks
from projections.signals.experiment_timeline import Hour, Point, Timeline
from projections.signals.model import signal_id

DAY = datetime(2026, 12, 1)


def _episodes(pattern: list[bool]) -> list[checks.Episode]:
    """Episodes of a condition holding at the ends of consecutive hours of one day as ``pattern`` says."""
    points: list[Point] = []
    line = Timeline("exp", "team", None, None, points)
    for index, holds in enumerate(pattern):
        hour = DAY + timedelta(hours=index)
        analysis = {"holds": holds}
        points.append(Point(hour, hour + timedelta(hours=1), {}, analysis))
        within = Hour(None, [hour + timedelta(minutes=30)], [{}])
        within.analyses[0] = analysis
        line.memo[("hour", hour)] = within
    return checks.episodes(None, line, lambda plan, analysis: bool(analysis["holds"]))  # type: ignore[arg-type]


def _ids(found: list[checks.Episode]) -> list[str]:
    return [signal_id("experiment_srm", "experiment", "exp", label) for label, _ in checks._labelled(found)]


def test_two_episodes_of_one_day_have_two_ids_and_the_first_keeps_its_own() -> None:
    once = _episodes([False, True, False])
    twice = _episodes([False, True, False, True, False])
    assert len(once) == 1 and len(twice) == 2
    assert len(set(_ids(twice))) == 2
    assert _ids(once)[0] == _ids(twice)[0] == signal_id("experiment_srm", "experiment", "exp", "2026-12-01")


def test_episodes_of_different_days_are_named_by_their_day_alone() -> None:
    first, second = _episodes([False, True, False]), _episodes([False, True, False])
    moved = [checks.Episode(e.raised_at + timedelta(days=1), e.analysis, e.cleared_at) for e in second]
    labels = [label for label, _ in checks._labelled([*first, *moved])]
    assert labels == ["2026-12-01", "2026-12-02"]
