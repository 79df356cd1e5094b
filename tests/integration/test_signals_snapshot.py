"""Signals and experiment timelines kept under what they were read at, although the catch-up commits pages between
a reader's statements (``projections.snapshot``): a page committed after a reader read the versions (or the
position) it keeps an answer under, and before it read the answer, is not kept under the versions before it, where
a reader still on them would be answered facts it cannot see.

Reader A asks first; the page is committed by the real runner on the views' own connection while A reads; reader B,
a cursor still in a snapshot begun before the page, then asks the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.service.ledger import Ledger
from projections.runner import ProjectionRunner
from projections.signals import cache as signal_cache
from projections.signals import experiment_timeline
from projections.signals.active import raised_by
from projections.signals.cache import SignalCache
from projections.snapshot import snapshot
from tests.integration.test_signals_cache import _lines
from tests.support.stores import store_of

AT = datetime(2027, 1, 1)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with store_of("sqlite", tmp_path) as url:
        opened = Ledger.open(url)
        try:
            yield opened
        finally:
            opened.close()


def _committing_while_read(ledger: Ledger, case: str, monkeypatch: pytest.MonkeyPatch, stack: ExitStack,
                           module: Any, name: str) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]:
    """Views holding the first two thirds of a case, the rest in the store, committed by the runner right after
    reader A's first call of ``module.name``: (A, B), B in a snapshot begun before that commit (until ``stack``
    closes)."""
    lines = _lines(case)
    cut = 2 * len(lines) // 3
    con = duckdb.connect(":memory:")
    runner = ProjectionRunner(ledger.store, con)
    assert ledger.execute(lines[:cut]).rejected == []
    runner.catch_up(refresh=False)
    assert ledger.execute(lines[cut:]).rejected == []
    reader_a, reader_b = con.cursor(), con.cursor()
    stack.enter_context(snapshot(reader_b))
    reader_b.execute("SELECT count(*) FROM event_log").fetchone()  # B's snapshot: before the page
    real: Callable[..., Any] = getattr(module, name)

    def then_a_page_commits(*args: Any) -> Any:
        found = real(*args)
        if args[0] is reader_a and runner.position() < (ledger.store.max_notification_id() or 0):
            runner.catch_up(refresh=False)
        return found

    monkeypatch.setattr(module, name, then_a_page_commits)
    return reader_a, reader_b


def _signals(found: list[Any]) -> list[Any]:
    return sorted((s.as_json() for s in found), key=lambda s: (s["kind"], s["id"]))


@pytest.mark.parametrize("case", ["complaints", "promises"])
def test_signals_prepared_while_a_page_commits_are_kept_under_the_versions_they_were_read_at(
        ledger: Ledger, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with ExitStack() as stack:
        reader_a, reader_b = _committing_while_read(ledger, case, monkeypatch, stack, signal_cache, "inputs_of")
        before = _signals(raised_by(reader_b, AT))
        cache = SignalCache()
        cache.raised_by(reader_a, AT)
        assert _signals(raised_by(reader_a, AT)) != before  # the page was committed, and changes the signals
        assert _signals(cache.raised_by(reader_b, AT)) == before
    assert _signals(cache.raised_by(reader_b, AT)) == _signals(raised_by(reader_a, AT))  # B's snapshot is over


def _points(found: list[experiment_timeline.Timeline]) -> list[Any]:
    return [(t.key, [(p.end, p.analysis) for p in t.points]) for t in found]


def test_experiment_timelines_read_while_a_page_commits_are_kept_under_the_position_they_were_read_at(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = type(experiment_timeline._cache)()
    monkeypatch.setattr(experiment_timeline, "_cache", kept)
    with ExitStack() as stack:
        reader_a, reader_b = _committing_while_read(ledger, "negotiations and experiments", monkeypatch, stack,
                                                    experiment_timeline, "lower_is_better")
        experiment_timeline.timelines(reader_a, AT)
        answered_b = _points(experiment_timeline.timelines(reader_b, AT))
        kept.clear()
        before = _points(experiment_timeline.timelines(reader_b, AT))
        assert _points(experiment_timeline.timelines(reader_a, AT)) != before  # the page changes the timelines
        assert answered_b == before
