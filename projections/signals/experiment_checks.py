"""When an A/B experiment's results first said something, for the experiment signals (docs/brief.md §9).

The condition of ``experiment_srm``, ``experiment_guardrail_harmed`` and ``experiment_ready`` is a question about
the experiment's own analysis (``experiment_stats.analysis.analyse``, the one the pages and ``experiment show``
use). It is judged on each day's results: everything observed up to the end of each UTC day with data, from one
query (the results-over-time chart's, by day). An episode is raised at the end of the day whose results first met
the condition and cleared at the end of the first day whose results no longer do, or when the experiment is
concluded. Judging whole days keeps a replay exact: a signal seen as of a time is one that any later as-of time
shows raised then (a condition that held for an hour in the middle of a day, on a handful of units, is none).
Before/after experiments are observational (no randomised split, no guardrails) and raise none.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.data import Data, lower_is_better, moments_by_period
from projections.signals.model import Signal
from projections.timeline import iso_date

Analysis = dict[str, Any]
Condition = Callable[[Plan, Analysis], bool]
DAY = timedelta(days=1)

STARTED = """
SELECT e.experiment, e.team, e.metric, e.plan, min(x.business_at) FILTER (x.event = 'Started'),
    min(x.business_at) FILTER (x.event = 'Concluded')
FROM experiments e JOIN experiment_events x ON x.experiment = e.experiment AND x.business_at <= $as_of
WHERE e.design = 'ab' AND e.business_at <= $as_of
GROUP BY ALL ORDER BY e.experiment
"""


@dataclass
class Timeline:
    """An A/B experiment's results at the end of each day with data, up to the as-of time."""

    key: str
    team: str
    plan: Plan
    concluded_at: datetime | None
    points: list[tuple[datetime, Analysis]]


@dataclass(frozen=True)
class Episode:
    raised_at: datetime
    analysis: Analysis  # the results that met the condition first (their numbers go into ``because``)
    cleared_at: datetime | None


def _timeline(con: duckdb.DuckDBPyConnection, row: tuple[Any, ...], lower: frozenset[str],
              as_of: datetime) -> Timeline:
    key, team, metric, plan_text, _, concluded_at = row
    plan = Plan.from_json(metric, plan_text, lower)
    running: Data = {}
    points = []
    for day, _, data in moments_by_period(con, key, plan.metric, as_of, "day"):
        if day + DAY > as_of or (concluded_at is not None and day + DAY > concluded_at):
            break  # a day not over yet, or over only after the experiment concluded, has no result
        for cell, m in data.items():
            running[cell] = running[cell].merge(m) if cell in running else m
        points.append((day + DAY, analyse(plan, dict(running), "running")))
    return Timeline(key, team, plan, concluded_at, points)


_cache: OrderedDict[tuple[Any, ...], list[Timeline]] = OrderedDict()
_lock = threading.Lock()
KEPT = 8


def timelines(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Timeline]:
    """Every started A/B experiment's timeline as of ``as_of``. Only whole days are judged, so the answer is the
    same all day long while the views hold the same events and no experiment starts or concludes: it is kept for
    that (the three experiment kinds, and every page view of a day, share one computation)."""
    rows = [row for row in con.execute(STARTED, {"as_of": as_of}).fetchall() if row[4] is not None]
    if not rows:
        return []
    (position,) = con.execute("SELECT max(position) FROM event_log").fetchone() or (None,)
    key = (id(con), position, as_of.date(), tuple(rows))
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    lower = lower_is_better(con, as_of)
    answer = [_timeline(con, row, lower, as_of) for row in rows]
    with _lock:
        _cache[key] = answer
        while len(_cache) > KEPT:
            _cache.popitem(last=False)
    return answer


def episodes(line: Timeline, holds: Condition) -> list[Episode]:
    """The runs of days whose results meet ``holds(plan, analysis)``: raised at the end of the first, cleared at
    the end of the first after it that does not, or at the conclusion."""
    found: list[Episode] = []
    raised: tuple[datetime, Analysis] | None = None
    for day_end, analysis in line.points:
        if holds(line.plan, analysis) and raised is None:
            raised = (day_end, analysis)
        elif not holds(line.plan, analysis) and raised is not None:
            found.append(Episode(*raised, day_end))
            raised = None
    if raised is not None:
        found.append(Episode(*raised, line.concluded_at))
    return found


Because = Callable[[Plan, Analysis], dict[str, Any]]
Source = Callable[[duckdb.DuckDBPyConnection, datetime], list[Signal]]


def experiment_source(kind: str, holds: Condition, because: Because) -> Source:
    """The source of an experiment kind: each episode of ``holds`` about the experiment, seen by its team, the
    episode named by the day it was raised, ``because`` the experiment key and numbers of the raising analysis."""

    def source(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
        return [Signal(kind, "experiment", line.key, iso_date(episode.raised_at) or "", line.team, None,
                       episode.raised_at, {"experiment": line.key, **because(line.plan, episode.analysis)},
                       f"/experiments/{line.key}", episode.cleared_at)
                for line in timelines(con, as_of) for episode in episodes(line, holds)]

    source.__name__ = kind
    return source
