"""When an A/B experiment's results first said something, for the experiment signals (docs/brief.md §9).

The condition of ``experiment_srm``, ``experiment_guardrail_harmed`` and ``experiment_ready`` is a question about
the experiment's own analysis (the one the pages and ``experiment show`` use). It is asked of the results at the
end of each UTC hour with data once that hour is over (``experiment_timeline``), and at the conclusion; where
the answer turned between two of those, it is asked at each observation time of the hour, and the episode is
raised (or cleared) at the first observation whose results turned it: the business time at which the condition
first held. The hour in progress is not judged (a signal is seen from the end of its observation's hour on),
so a judgement never depends on where in an hour the as-of time falls: what one as-of time shows (by id,
``raised_at`` and ``cleared_at``) every later one shows too, and a rebuilt views file, an incremental one,
SQLite and PostgreSQL agree. The cost stays at one analysis per hour with data, plus at most one per
observation time of one hour for each turn. A condition that came and went inside one hour (it held at
neither end) is never looked for. An episode still open at the conclusion is cleared then. Before/after
experiments are observational (no randomised split, no guardrails) and raise none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from projections.experiment_stats.config import Plan
from projections.signals.experiment_timeline import Analysis, Point, Timeline, timelines
from projections.signals.model import Signal
from projections.timeline import iso_date

Condition = Callable[[Plan, Analysis], bool]


@dataclass(frozen=True)
class Episode:
    raised_at: datetime
    analysis: Analysis  # the results that met the condition first (their numbers go into ``because``)
    cleared_at: datetime | None


def _turn(con: duckdb.DuckDBPyConnection, line: Timeline, point: Point, holds: Condition,
          now: bool) -> tuple[datetime, Analysis]:
    """The first observation time of the point's hour at which ``holds`` answered ``now``, with its results
    (the hour's last observation time if rounding kept the answer from turning before the point's own)."""
    hour = line.hour(con, point)
    for i, at in enumerate(hour.times):
        if holds(line.plan, hour.analysis(i)) == now:
            return at, hour.analysis(i)
    return hour.times[-1], point.analysis


def episodes(con: duckdb.DuckDBPyConnection, line: Timeline, holds: Condition) -> list[Episode]:
    """The runs of results that meet ``holds(plan, analysis)``: raised at the observation that first met it,
    cleared at the first one after it that does not, or at the conclusion."""
    found: list[Episode] = []
    raised: tuple[datetime, Analysis] | None = None
    for point in line.points:
        now = holds(line.plan, point.analysis)
        if now == (raised is not None):
            continue
        at, analysis = _turn(con, line, point, holds, now)
        if now:
            raised = (at, analysis)
        elif raised is not None:
            found.append(Episode(*raised, at))
            raised = None
    if raised is not None:
        found.append(Episode(*raised, line.concluded_at))
    return found


Because = Callable[[Plan, Analysis], dict[str, Any]]
Source = Callable[[duckdb.DuckDBPyConnection, datetime], list[Signal]]


def _episodes_once(con: duckdb.DuckDBPyConnection, line: Timeline, kind: str, holds: Condition) -> list[Episode]:
    with line.lock:  # a timeline is shared by every request until the next observation: found once per kind
        if kind not in line.memo:
            line.memo[kind] = episodes(con, line, holds)
        found: list[Episode] = line.memo[kind]
    return found


def _labelled(found: list[Episode]) -> list[tuple[str, Episode]]:
    """Each episode's label: the day it was raised; a later episode of the same day (judged by the hour, a
    condition can come, go and come again in one day) adds its time, so no two episodes share an id."""
    labels: list[tuple[str, Episode]] = []
    days: set[str] = set()
    for episode in sorted(found, key=lambda e: e.raised_at):  # the day's first keeps the day alone
        day = iso_date(episode.raised_at) or ""
        labels.append((day if day not in days else f"{day}T{episode.raised_at.time().isoformat()}", episode))
        days.add(day)
    return labels


def experiment_source(kind: str, holds: Condition, because: Because) -> Source:
    """The source of an experiment kind: each episode of ``holds`` about the experiment, seen by its team, the
    episode named by the day it was raised (``_labelled``), ``because`` the experiment key and numbers of the
    raising analysis."""

    def source(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
        return [Signal(kind, "experiment", line.key, label, line.team, None,
                       episode.raised_at, {"experiment": line.key, **because(line.plan, episode.analysis)},
                       f"/experiments/{line.key}", episode.cleared_at)
                for line in timelines(con, as_of)
                for label, episode in _labelled(_episodes_once(con, line, kind, holds))]

    source.__name__ = kind
    return source
