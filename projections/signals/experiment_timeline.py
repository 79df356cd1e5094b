"""An A/B experiment's results over time, for the experiment signals: the experiment's own analysis
(``experiment_stats.analysis.analyse``, the one the pages and ``experiment show`` use) at the end of each UTC day
with data, and at the as-of time (or the conclusion) for the day in progress, from one query; and, only for a day
in which a signal's condition turned, at the observation times of that day (``Day``), so that a signal is raised
at the observation that made its condition true without analysing the whole experiment observation by
observation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.data import Data, lower_is_better, moments_at_each_time, moments_by_period

Analysis = dict[str, Any]
DAY = timedelta(days=1)

STARTED = """
SELECT e.experiment, e.team, e.metric, e.plan, min(x.business_at) FILTER (x.event = 'Started'),
    min(x.business_at) FILTER (x.event = 'Concluded')
FROM experiments e JOIN experiment_events x ON x.experiment = e.experiment AND x.business_at <= $as_of
WHERE e.design = 'ab' AND e.business_at <= $as_of
GROUP BY ALL ORDER BY e.experiment
"""
LATEST = """
SELECT max(business_at) FROM (SELECT business_at FROM observations WHERE business_at <= $as_of
    UNION ALL SELECT business_at FROM arm_summaries WHERE business_at <= $as_of)
"""


def _merged(running: Data, data: Data) -> Data:
    merged = dict(running)
    for cell, m in data.items():
        merged[cell] = merged[cell].merge(m) if cell in merged else m
    return merged


@dataclass(frozen=True)
class Point:
    """The results at ``end`` (a day's end, or the as-of time or conclusion within the last day) of everything
    observed by then; ``before`` the moments at the day's start."""

    day: datetime
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

    def day(self, con: duckdb.DuckDBPyConnection, point: Point) -> Day:
        """The point's day observation time by observation time, read once whichever signal kind asks."""
        key = ("day", point.day)
        if key not in self.memo:
            running, times, data = point.before, [], []
            for at, moments in moments_at_each_time(con, self.key, self.plan.metric, point.day, point.end):
                running = _merged(running, moments)
                times.append(at)
                data.append(running)
            self.memo[key] = Day(self.plan, times, data)
        found: Day = self.memo[key]
        return found


@dataclass
class Day:
    """The moments of everything observed by each observation time of a day in which an answer turned, each
    analysed only when asked (and then once)."""

    plan: Plan
    times: list[datetime]
    data: list[Data]
    analyses: dict[int, Analysis] = field(default_factory=dict)

    def analysis(self, i: int) -> Analysis:
        if i not in self.analyses:
            self.analyses[i] = analyse(self.plan, self.data[i], "running")
        return self.analyses[i]

    def hour_ends(self) -> list[int]:
        """The index of each hour's last observation time: where to ask before asking at every one."""
        return [i for i, at in enumerate(self.times) if i + 1 == len(self.times) or self.times[i + 1].hour != at.hour]


def _timeline(con: duckdb.DuckDBPyConnection, row: tuple[Any, ...], lower: frozenset[str],
              as_of: datetime) -> Timeline:
    key, team, metric, plan_text, _, concluded_at = row
    plan = Plan.from_json(metric, plan_text, lower)
    cut = min(as_of, concluded_at) if concluded_at is not None else as_of  # nothing after the conclusion counts
    running: Data = {}
    points = []
    for day, _, data in moments_by_period(con, key, plan.metric, cut, "day"):
        before, running = running, _merged(running, data)
        points.append(Point(day, min(day + DAY, cut), before, analyse(plan, running, "running")))
    return Timeline(key, team, plan, concluded_at, points)


_cache: OrderedDict[tuple[Any, ...], list[Timeline]] = OrderedDict()
_lock = threading.Lock()
KEPT = 8


def timelines(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Timeline]:
    """Every started A/B experiment's timeline as of ``as_of``. The answer changes only with the events, the day,
    and the last observation time at or before ``as_of``, so it is kept for those (the three experiment kinds,
    and every page view until the next observation, share one computation)."""
    rows = [row for row in con.execute(STARTED, {"as_of": as_of}).fetchall() if row[4] is not None]
    if not rows:
        return []
    (position,) = con.execute("SELECT max(position) FROM event_log").fetchone() or (None,)
    (latest,) = con.execute(LATEST, {"as_of": as_of}).fetchone() or (None,)
    key = (id(con), position, as_of.date(), latest, tuple(rows))
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
