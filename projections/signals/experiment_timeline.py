"""An A/B experiment's results over time, for the experiment signals: the experiment's own analysis
(``experiment_stats.analysis.analyse``, the one the pages and ``experiment show`` use) at the end of each UTC
hour with data that is over at the as-of time (or at the conclusion, for the hour it falls in), from one query;
and, only for an hour at whose end a signal's condition turned, at the observation times of that hour
(``Hour``), so that a signal is raised at the observation that made its condition true without analysing the
whole experiment observation by observation. Only hours that are over are judged, never the as-of time itself:
a judged hour's data and answer never change as the as-of time moves on, so what one as-of time shows every
later one shows too, with the same ids and times.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from domain.service.single_flight import MISS, Flights
from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.data import Data, lower_is_better, moments_at_each_time, moments_by_period
from projections.signals import declared
from projections.signals.own_errors import cursors_own
from projections.snapshot import snapshot
from projections.views_identity import views_identity

Analysis = dict[str, Any]
HOUR = timedelta(hours=1)

STARTED = """
SELECT e.experiment, e.team, e.metric, e.plan, min(x.business_at) FILTER (x.event = 'Started'),
    min(x.business_at) FILTER (x.event = 'Concluded')
FROM experiments e JOIN experiment_events x ON x.experiment = e.experiment AND x.business_at <= $as_of
WHERE e.design = 'ab' AND e.business_at <= $as_of
GROUP BY ALL ORDER BY e.experiment
"""
LATEST = """
SELECT max(business_at) FROM (SELECT business_at FROM observations WHERE business_at < $over
    UNION ALL SELECT business_at FROM arm_summaries WHERE business_at < $over)
"""


def _merged(running: Data, data: Data) -> Data:
    merged = dict(running)
    for cell, m in data.items():
        merged[cell] = merged[cell].merge(m) if cell in merged else m
    return merged


@dataclass(frozen=True)
class Point:
    """The results at ``end`` (an hour's end, or the conclusion within its hour) of everything observed by then;
    ``before`` the moments at the hour's start."""

    hour: datetime
    end: datetime
    before: Data
    analysis: Analysis


@dataclass
class Timeline:
    key: str
    team: str
    plan: Plan
    concluded_at: datetime | None
    points: list[Point]
    lock: threading.Lock = field(default_factory=threading.Lock)
    memo: dict[Any, Any] = field(default_factory=dict)  # what the signal kinds found in it (``experiment_checks``)

    def hour(self, con: duckdb.DuckDBPyConnection, point: Point) -> Hour:
        """The point's hour observation time by observation time, read once whichever signal kind asks."""
        key = ("hour", point.hour)
        if key not in self.memo:
            running, times, data = point.before, [], []
            for at, moments in moments_at_each_time(con, self.key, self.plan.metric, point.hour, "hour", point.end):
                running = _merged(running, moments)
                times.append(at)
                data.append(running)
            self.memo[key] = Hour(self.plan, times, data)
        found: Hour = self.memo[key]
        return found


@dataclass
class Hour:
    """The moments of everything observed by each observation time of an hour at whose end an answer turned,
    each analysed only when asked (and then once)."""

    plan: Plan
    times: list[datetime]
    data: list[Data]
    analyses: dict[int, Analysis] = field(default_factory=dict)

    def analysis(self, i: int) -> Analysis:
        if i not in self.analyses:
            self.analyses[i] = analyse(self.plan, self.data[i], "running")
        return self.analyses[i]


def _over(as_of: datetime) -> datetime:
    """The end of the last hour that is over at ``as_of``: the hours after it are not judged yet."""
    return declared.HOUR(as_of)


def _timeline(con: duckdb.DuckDBPyConnection, row: tuple[Any, ...], lower: frozenset[str],
              as_of: datetime) -> Timeline:
    key, team, metric, plan_text, _, concluded_at = row
    plan = Plan.from_json(metric, plan_text, lower)
    concluded = concluded_at is not None and concluded_at <= as_of  # nothing after the conclusion counts
    cut = concluded_at if concluded and concluded_at is not None else as_of
    running: Data = {}
    points = []
    for hour, _, data in moments_by_period(con, key, plan.metric, cut, "hour"):
        if not concluded and hour + HOUR > as_of:
            break  # the hour in progress: judged once it is over
        before, running = running, _merged(running, data)
        points.append(Point(hour, min(hour + HOUR, cut), before, analyse(plan, running, "running")))
    return Timeline(key, team, plan, concluded_at, points)


_cache: OrderedDict[tuple[Any, ...], list[Timeline]] = OrderedDict()
_lock = threading.Lock()
_flights = Flights(_lock, own=cursors_own)
KEPT = 8


def timelines(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Timeline]:
    """Every started A/B experiment's timeline as of ``as_of``. The answer changes only with the events and the
    last observation time before the hour in progress (and with the conclusions, within the hour of one), so it
    is kept for those, in the views file read (every thread's cursor on it; never a rebuilt file's): the three
    experiment kinds, and every page view until the next hour with data, share one computation. The key and the
    timelines are read in one snapshot (``projections.snapshot``): a page committed between them would otherwise
    be kept under the position before it."""
    with snapshot(con):
        rows = [row for row in con.execute(STARTED, {"as_of": as_of}).fetchall() if row[4] is not None]
        if not rows:
            return []
        (position,) = con.execute("SELECT max(position) FROM event_log").fetchone() or (None,)
        (latest,) = con.execute(LATEST, {"over": _over(as_of)}).fetchone() or (None,)
        lower = lower_is_better(con, as_of)
        key = (views_identity(con), position, latest, lower, tuple(rows))

        def keep(answer: list[Timeline]) -> None:
            _cache[key] = answer
            while len(_cache) > KEPT:
                _cache.popitem(last=False)

        return _flights.answer(key, lambda: _cache.get(key, MISS),
                               lambda: [_timeline(con, row, lower, as_of) for row in rows], keep)
