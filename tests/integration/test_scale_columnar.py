"""The SQL (columnar) projection path equals the Python reference, table by table, on both stores.

Pages are cut small so that a feedback resolution, a promise negotiation and an experiment
cross page boundaries (keys of earlier pages are then read back from ``event_log``).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections import pages
from projections.columnar import COLUMNAR, utc_sql
from projections.runner import ProjectionRunner
from projections.tables import FACT_TABLES
from projections.view_store import connect
from scripts.sample_company import sample_company_commands
from tests.support.ledger import record_legacy_observations

EXTRA = [  # feedback written by other channels and times with other offsets
    {"type": "RecordFeedback", "id": "x-fb1", "feedback_id": "x-fb1", "client": "nobody-yet", "kind": "complaint",
     "channel": "app", "text": "Ünïcode \"quoted\" text\nwith a newline", "rating": 3,
     "occurred_at": "2026-03-01T10:00:00+03:00"},
    {"type": "ResolveFeedback", "id": "x-fb1-r", "feedback_id": "x-fb1", "resolution": "called back",
     "at": "2026-03-02T10:00:00-05:00"},
    {"type": "ProposeExperiment", "id": "x-legacy", "experiment": "x-legacy", "team": "home-delivery",
     "hypothesis": "h", "metric": "delivery-minutes", "design": "ab", "at": "2026-05-01T00:00:00Z"},
    {"type": "StartExperiment", "id": "x-legacy-start", "experiment": "x-legacy", "at": "2026-05-02T00:00:00Z"},
]
"""And an experiment whose observations are stored as events of its own, as stores from before observations
were aggregates hold them."""


def tables(views: Path, recorder: Any, *, columnar: bool, batch: int, **reading: int
           ) -> dict[str, list[tuple[Any, ...]]]:
    con = connect(views)
    try:
        ProjectionRunner(recorder, con, batch=batch, columnar=columnar, **reading).catch_up()
        return {t.name: con.execute(f"SELECT * FROM {t.name} ORDER BY ALL").fetchall() for t in FACT_TABLES}
    finally:
        con.close()


@pytest.mark.parametrize("batch", [13, 50_000])
def test_columnar_path_equals_python_path(store_url: str, tmp_path: Path, batch: int) -> None:
    ledger = Ledger.open(store_url)
    try:
        commands = [*sample_company_commands(), *EXTRA]
        result = ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in commands])
        assert not result.rejected, result.rejected[:3]
        record_legacy_observations(ledger, "x-legacy", [("control", 2.5, "2026-06-01T00:00:00+00:00")])
        python = tables(tmp_path / "python.duckdb", ledger.recorder, columnar=False, batch=batch)
        columnar = tables(tmp_path / "columnar.duckdb", ledger.recorder, columnar=True, batch=batch)
    finally:
        ledger.close()
    for topic in COLUMNAR:  # the sample exercises every SQL-projected topic
        aggregate, _, event = topic.rpartition(":")[2].partition(".")
        assert any(row[4:6] == (aggregate, event) for row in python["event_log"]), topic
    assert python["feedback_resolutions"] and python["readings"] and python["feedback"]
    for name in python:
        assert columnar[name] == python[name], name


@pytest.mark.processes
@pytest.mark.parametrize("batch", [13, 50_000])
def test_pages_read_by_the_child_process_equal_pages_read_in_process(
        store_url: str, tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long read goes through ``projections.page_stream`` (an ADBC driver in a child process);
    the views it builds are the in-process reader's, row for row, on both stores."""
    ledger = Ledger.open(store_url)
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in [*sample_company_commands(), *EXTRA]])
        assert not result.rejected, result.rejected[:3]
        in_process = tables(tmp_path / "in_process.duckdb", ledger.recorder, columnar=True, batch=batch)
        monkeypatch.setattr(pages, "_prefetched_pages", None)  # the child must do all the reading
        streamed = tables(tmp_path / "streamed.duckdb", ledger.recorder, columnar=True, batch=batch,
                          reader_process_from=0)
    finally:
        ledger.close()
    assert sum(map(len, in_process.values())) > 1_000
    for name in in_process:
        assert streamed[name] == in_process[name], name


@pytest.mark.processes
def test_a_failing_child_reader_is_a_clear_error_and_commits_nothing(sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in sample_company_commands()[:50]])
        path = Path(ledger.recorder.datastore.pool.db_name)
        con = connect(tmp_path / "views.duckdb")
        runner = ProjectionRunner(ledger.recorder, con, reader_process_from=0)
        ledger.recorder.datastore.pool.db_name = str(tmp_path / "not-a-store.db")
        (tmp_path / "not-a-store.db").write_bytes(b"this is not an SQLite database file" * 200)
        with pytest.raises(pages.StoreReadError, match="reading the store failed"):
            runner.catch_up()
        assert runner.position() == 0
        assert con.execute("SELECT count(*) FROM event_log").fetchone() == (0,)
        ledger.recorder.datastore.pool.db_name = str(path)
        assert runner.catch_up().events == 50
        con.close()
    finally:
        ledger.close()


def test_utc_sql_matches_utc_text(tmp_path: Path) -> None:
    from projections.stored_form import utc_text

    con = connect(tmp_path / "v.duckdb")
    for text in ("2026-01-05T00:00:00+00:00", "2026-01-05T00:30:00.123456+05:30", "2026-12-31T23:00:00-02:00"):
        (found,) = con.execute(f"SELECT CAST({utc_sql('$1')} AS VARCHAR)", [text]).fetchone()  # type: ignore[misc]
        assert found.replace(" ", "T") == utc_text(text), text
    con.close()


@pytest.mark.parametrize("columnar", [True, False])
def test_projector_memory_is_bounded_by_the_page(sqlite_url: str, tmp_path: Path, columnar: bool) -> None:
    """The projector once kept every aggregate's key for the whole catch-up (RSS grew with the store:
    280/377/448 MB at 200k/400k/600k events); now it holds one page's keys at most."""
    ledger = Ledger.open(sqlite_url)
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in sample_company_commands()])
        assert not result.rejected
        con = connect(tmp_path / "views.duckdb")
        runner = ProjectionRunner(ledger.recorder, con, batch=13, columnar=columnar)
        assert runner.catch_up().events > 13 * 10
        assert len(runner.projector.keys) <= 13
        con.close()
    finally:
        ledger.close()


@pytest.mark.processes  # the reader child
@pytest.mark.parametrize("limit", [7, 100, 1000])
def test_streamed_pages_hold_limit_rows_each_but_the_last(sqlite_url: str, limit: int) -> None:
    """The child reads several pages per query: its batches are cut at each page's end, so a page (one DuckDB
    transaction, the step a Ctrl-C stops after) never grows past ``limit`` rows."""
    ledger = Ledger.open(sqlite_url)
    try:
        ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in sample_company_commands()])
        sizes = [page.num_rows for page in pages.pages(ledger.recorder, 1, limit, reader_process_from=0)]
        events = int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()
    assert sum(sizes) == events > limit
    assert set(sizes[:-1]) == {limit} and 0 < sizes[-1] <= limit


@pytest.mark.processes
def test_a_reader_child_killed_mid_stream_is_a_clear_error(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in sample_company_commands()])
        streamed = pages.pages(ledger.recorder, 1, 7, reader_process_from=0)
        next(streamed)
        for child in _page_readers():
            os.kill(child, signal.SIGKILL)
        with pytest.raises(pages.StoreReadError, match="reading the store failed"):
            for _ in streamed:
                pass
    finally:
        ledger.close()


def _page_readers() -> list[int]:
    """This process's page-reading children (Linux ``/proc``; never the session's other children, a broker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"projections.page_stream" in command:
            found.append(int(entry.name))
    assert found
    return found
