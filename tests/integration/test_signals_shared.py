"""The signal caches are shared by every thread reading one views file, and by nothing else: the experiment
timelines are kept under the views file's identity (a rebuild after a forget makes a new file, with an identity
of its own), and threads missing one answer of the signal cache at once wait for one computation of it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections.signals.cache import SignalCache
from projections.signals.declared import DAY, Declared
from projections.signals.experiment_timeline import Timeline, timelines
from projections.views_file import ViewsFile
from projections.views_identity import views_identity
from tests.integration.test_signals_experiments import LINES
from tests.support.stores import store_of

AS_OF = datetime(2026, 3, 5, 9, 30)


@pytest.fixture
def views(tmp_path: Path) -> Iterator[ViewsFile]:
    with store_of("sqlite", tmp_path) as url:
        ledger = Ledger.open(url)
        views_file = ViewsFile(ledger.store, tmp_path / "views.duckdb")
        try:
            assert ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in LINES]).rejected == []
            views_file.catch_up()
            yield views_file
        finally:
            views_file.close()
            ledger.close()


def _results(found: list[Timeline]) -> list[tuple[str, list[Any]]]:
    return [(line.key, [(p.hour, p.end, p.analysis) for p in line.points]) for line in found]


def test_every_thread_on_one_views_file_shares_its_experiment_timelines_and_a_rebuilt_file_has_its_own(
        views: ViewsFile) -> None:
    first, second = views.runner.con.cursor(), views.runner.con.cursor()  # two server threads' cursors
    try:
        shared = timelines(first, AS_OF)
        assert shared and timelines(second, AS_OF) is shared
        before = views_identity(first)
    finally:
        first.close()
        second.close()
    views.rebuild()  # as after a forget: a new file, built from zero
    rebuilt = views.runner.con.cursor()
    try:
        after = views_identity(rebuilt)
        assert after != before
        found = timelines(rebuilt, AS_OF)
        assert found is not shared and _results(found) == _results(shared)  # computed anew, to the same results
    finally:
        rebuilt.close()
    views.close()  # the file keeps its identity when opened again
    assert views_identity(views.runner.con) == after


def test_threads_missing_one_signal_answer_at_once_compute_it_once(views: ViewsFile) -> None:
    askers = 8
    calls: list[int] = []
    everyone = threading.Event()

    def prepare(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Any]:
        calls.append(1)
        if len(calls) == askers:
            everyone.set()
        everyone.wait(timeout=1.0)  # without single flight, every asker gets here and frees the others
        return []

    cache = SignalCache([Declared("slow", prepare, ("observations",), "experiments", DAY)])

    def ask(_: int) -> int:
        cursor = views.runner.con.cursor()
        try:
            return len(cache.raised_by(cursor, AS_OF))
        finally:
            cursor.close()

    with ThreadPoolExecutor(askers) as pool:
        assert list(pool.map(ask, range(askers))) == [0] * askers
    assert len(calls) == 1 and cache.prepared == 1
