"""The signal cache (``projections.signals.cache``) answers exactly as a full evaluation of every source does, as
events arrive in any business-time order and as time passes (forwards, backwards, within and across the periods
it keeps an answer for), and asks the views again only for the sources whose inputs changed: a fact dated in the
future once more when time reaches it, the experiment kinds once an hour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections.runner import ProjectionRunner
from projections.signals.active import raised_by
from projections.signals.cache import SignalCache
from tests.integration.test_complaint_times import _scenario as complaints
from tests.integration.test_signals_experiments import LINES as EXPERIMENT
from tests.integration.test_signals_replay import COMPANY
from tests.support.cases import promise_health
from tests.support.scenario import Scenario
from tests.support.stores import store_of

MOMENTS = [datetime(2026, 3, 2, 11, 30), datetime(2026, 3, 2, 14), datetime(2026, 3, 2, 14, 0, 1),
           datetime(2026, 3, 2, 14, 59, 59), datetime(2026, 3, 2, 15), datetime(2026, 3, 3, 6),
           datetime(2026, 3, 3, 9, 59, 59), datetime(2026, 3, 3, 10), datetime(2026, 3, 5, 11),
           datetime(2026, 3, 5, 12), datetime(2026, 3, 6, 9), datetime(2026, 3, 6, 9, 30),
           datetime(2026, 3, 9, 0, 0, 1), datetime(2027, 1, 1)]
"""Before and after deadlines, half-weeks, week ends and events of the scenarios (at an event's very time, a second
later, and the ends of hours in which an experiment's split broke: the experiment kinds judge completed hours);
then back again. Early ones see only some of the facts recorded: the others are dated in their future."""
EXPERIMENT_KINDS = 3
"""Judged again at every event (they do not say what they read) and every hour."""
STEP = 9
"""Commands per step: the views caught up between steps."""
CASES = {"promises": promise_health.scenario, "complaints": complaints,
         "negotiations and experiments": lambda: Scenario(at="2026-03-01T00:00:00Z")}


def _same(cache: SignalCache, con: duckdb.DuckDBPyConnection, at: datetime) -> list[dict[str, Any]]:
    """The cache's answer is the full one (in the order of the sources; a source's own order is its query's)."""
    expected = sorted((s.as_json() for s in raised_by(con, at)), key=lambda s: (s["kind"], s["id"]))
    assert sorted((s.as_json() for s in cache.raised_by(con, at)), key=lambda s: (s["kind"], s["id"])) == expected, at
    return expected


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """One store is enough: the cache is about the views (the stores' parity is ``test_signals_replay``'s)."""
    with store_of("sqlite", tmp_path) as url:
        opened = Ledger.open(url)
        try:
            yield opened
        finally:
            opened.close()


def _lines(case: str) -> list[Any]:
    lines = [COMMAND_ADAPTER.validate_python(line) for line in CASES[case]().lines()]
    if case == "negotiations and experiments":
        from tests.support.cli import jsonl

        lines = [COMMAND_ADAPTER.validate_json(line) for line in jsonl(COMPANY).splitlines()]
    return lines


@pytest.mark.parametrize("case", list(CASES))
def test_a_cached_answer_equals_a_full_evaluation_as_events_arrive_and_time_passes(ledger: Ledger, case: str) -> None:
    lines = _lines(case)
    step_size = STEP if case != "negotiations and experiments" else len(lines) // 3  # the statistics cost more
    con = duckdb.connect(":memory:")
    runner = ProjectionRunner(ledger.store, con)
    cache = SignalCache()
    seen: set[str] = set()
    try:
        for step, start in enumerate(range(0, len(lines), step_size)):
            assert ledger.execute(lines[start:start + step_size]).rejected == []
            runner.catch_up(refresh=step % 2 == 0)  # the materialised compliance fresh, then stale
            for at in (*MOMENTS, *reversed(MOMENTS)):
                seen.update(s["kind"] for s in _same(cache, con, at))
    finally:
        con.close()
    assert seen, "the scenario raised no signal to compare"


def test_time_passing_and_unrelated_events_ask_only_what_they_can_change(ledger: Ledger) -> None:
    experiment_lines = [COMMAND_ADAPTER.validate_python(line) for line in EXPERIMENT]
    assert ledger.execute([*_lines("complaints"), *experiment_lines]).rejected == []
    con = duckdb.connect(":memory:")
    runner = ProjectionRunner(ledger.store, con)
    cache = SignalCache()
    try:
        runner.catch_up()
        later = datetime(2027, 1, 4, 0, 0, 1)  # every fact settled
        exact = EXPERIMENT_KINDS
        _same(cache, con, later)
        asked = cache.prepared
        for seconds in (1, 60, 3599, 3600, 11 * 3600):  # the same half-day: only the experiment kinds are asked
            _same(cache, con, later + timedelta(seconds=seconds))  # again, and only in a new hour (2 of 5)
        assert cache.prepared - asked == 2 * exact
        asked = cache.prepared
        _same(cache, con, later + timedelta(days=1))
        # a new day: also the client's voice, judged by day (no promise yet: the promise kinds are not asked)
        assert cache.prepared - asked == 1 + exact
        asked = cache.prepared
        assert ledger.execute([COMMAND_ADAPTER.validate_python(
            {"type": "DefineMetric", "metric": "queue", "name": "Queue", "unit": "min",
             "direction": "lower_is_better", "at": "2026-12-01T00:00:00Z"})]).rejected == []
        runner.catch_up()
        kinds = {s["kind"] for s in _same(cache, con, later + timedelta(days=1, seconds=5))}
        assert cache.prepared - asked == exact  # a new metric: no complaint, proposal or voice asked again
        assert "complaint_overdue" in kinds
        _a_fact_dated_in_the_future_costs_one_answer_when_time_reaches_it(ledger, runner, cache, con, exact)
    finally:
        con.close()


def _a_fact_dated_in_the_future_costs_one_answer_when_time_reaches_it(
        ledger: Ledger, runner: ProjectionRunner, cache: SignalCache, con: duckdb.DuckDBPyConnection,
        exact: int) -> None:
    """A complaint entered ahead of its time (dated next month) is not seen until then: meanwhile every as-of time
    of a period shares one answer, as with no such fact; at its time, the complaint kinds are asked once more."""
    ahead = datetime(2027, 2, 1, 10)
    assert ledger.execute([COMMAND_ADAPTER.validate_python(
        {"type": "RecordFeedback", "feedback_id": "c-ahead", "client": "shop", "kind": "complaint", "channel": "app",
         "text": "entered ahead", "occurred_at": "2027-02-01T10:00:00Z", "at": "2027-02-01T10:00:00Z",
         "team": "ops"})]).rejected == []
    runner.catch_up()
    now = datetime(2027, 1, 5, 8)
    _same(cache, con, now)
    asked = cache.prepared
    for seconds in (1, 5, 30, 60):  # the web's live refresh, asking "now" again and again
        _same(cache, con, now + timedelta(seconds=seconds))
    assert cache.prepared == asked
    before = {s["id"] for s in _same(cache, con, ahead - timedelta(seconds=1))}
    asked = cache.prepared
    at = {s["id"]: s for s in _same(cache, con, ahead)}  # the complaint is seen: its kinds, and those by event
    assert cache.prepared - asked == 2 + exact  # complaints, client's voice, and the experiment kinds
    assert before <= set(at)
    asked = cache.prepared
    for moment in (ahead + timedelta(seconds=1), ahead + timedelta(hours=3)):  # the complaint's deadlines pass
        _same(cache, con, moment)
    # the second after: the complaint is now seen before the as-of time, no longer at it (a source comparing with
    # "before" would see it only now), for its kinds and the experiment kinds; three hours on, the experiment kinds
    assert cache.prepared - asked == 2 + 2 * exact
    assert any(s["kind"] == "complaint_overdue" and s["subject"]["key"] == "c-ahead"
               for s in _same(cache, con, ahead + timedelta(days=2)))
