"""Ctrl-C while the views catch up: a page is committed whole or not at all, and the interrupt reaches the caller
as ``KeyboardInterrupt`` (what the commands' stop handling catches), wherever it lands."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from duckdb.func import ARROW

from domain import commands as c
from domain.service.ledger import Ledger
from projections.projection_runner import caught_interrupt
from projections.runner import ProjectionRunner
from projections.view_store import connect


def record_feedback(ledger: Ledger, count: int) -> None:
    ledger.execute([c.COMMAND_ADAPTER.validate_python(
        {"type": "RecordFeedback", "feedback_id": f"f{n}", "client": "ann", "kind": "complaint",
         "channel": "app", "text": f"late again ({n})", "occurred_at": "2026-01-05T09:00:00+00:00"})
        for n in range(count)])


class InterruptedAfterCommit(ProjectionRunner):
    """Ctrl-C landing just after a page's COMMIT, before the runner is done with the page."""

    def _write(self, position: int) -> None:
        super()._write(position)
        raise KeyboardInterrupt


def test_ctrl_c_right_after_a_pages_commit_is_a_keyboard_interrupt_and_the_page_stays(
        sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        record_feedback(ledger, 3)
        con = connect(tmp_path / "views.duckdb")
        try:
            runner = InterruptedAfterCommit(ledger.recorder, con)
            with pytest.raises(KeyboardInterrupt):  # not "cannot rollback - no transaction is active"
                runner.catch_up()
            assert runner.position() == 3  # the committed page, whole
            assert con.execute("SELECT count(*) FROM event_log").fetchone() == (3,)
            assert con.execute("SELECT count(*) FROM feedback").fetchone() == (3,)
        finally:
            con.close()
    finally:
        ledger.close()


class SignalledInDuckDB(ProjectionRunner):
    """A page with a long statement, during which a real SIGINT comes (Python's handler raises
    ``KeyboardInterrupt`` at DuckDB's own check of signals)."""

    def _project(self, page: Any) -> None:
        super()._project(page)
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        # seconds of work (no longer: should DuckDB miss the signal, Python raises it as the statement ends)
        self.con.execute("SELECT count(*) FROM range(1000000000) r(i) WHERE i % 7 = 3").fetchall()


class InterruptedInAFunction(ProjectionRunner):
    """A page whose statement calls a Python function that Ctrl-C interrupts before it can keep the exception."""

    def _project(self, page: Any) -> None:
        super()._project(page)

        def interrupted(texts: pa.ChunkedArray) -> pa.ChunkedArray:
            raise KeyboardInterrupt

        self.con.create_function("interrupted", interrupted, ["varchar"], "varchar", type=ARROW)
        self.con.execute("SELECT interrupted(position::varchar) FROM event_log").fetchall()


@pytest.mark.parametrize("runner_class", [SignalledInDuckDB, InterruptedInAFunction])
def test_ctrl_c_while_duckdb_runs_a_pages_statement_is_a_keyboard_interrupt(
        sqlite_url: str, tmp_path: Path, runner_class: type[ProjectionRunner]) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        record_feedback(ledger, 3)
        con = connect(tmp_path / "views.duckdb")
        try:
            runner = runner_class(ledger.recorder, con)
            with pytest.raises(KeyboardInterrupt):  # not DuckDB's "Query interrupted"
                runner.catch_up()
            assert runner.position() == 0
            assert con.execute("SELECT count(*) FROM event_log").fetchone() == (0,)
        finally:
            con.close()
    finally:
        ledger.close()


def _udf_error(raised: BaseException) -> duckdb.Error:
    def fail(texts: pa.ChunkedArray) -> pa.ChunkedArray:
        raise raised

    con = duckdb.connect()
    con.create_function("fail", fail, ["varchar"], "varchar", type=ARROW)
    try:
        con.execute("SELECT fail('x')")
    except duckdb.Error as error:
        return error
    finally:
        con.close()
    raise AssertionError("the function did not fail")


def test_an_interrupt_that_escaped_a_python_function_in_duckdb_is_told_from_its_other_errors() -> None:
    """Ctrl-C at a function's first instruction comes before it can keep the exception (``page_sql.Reveal``):
    DuckDB's text is then all there is to tell it by."""
    assert caught_interrupt(_udf_error(KeyboardInterrupt("signal 2 while stopping")))
    assert not caught_interrupt(_udf_error(ValueError("KeyboardInterrupt is only a word here")))
    assert not caught_interrupt(RuntimeError("Query interrupted by a test"))
