"""Ctrl-C while the views catch up: a page is committed whole or not at all, and the interrupt reaches the caller
as ``KeyboardInterrupt`` (what the commands' stop handling catches), wherever it lands."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain import commands as c
from domain.service.ledger import Ledger
from projections.runner import ProjectionRunner
from projections.view_store import connect


class InterruptedAfterCommit(ProjectionRunner):
    """Ctrl-C landing just after a page's COMMIT, before the runner is done with the page."""

    def _write(self, position: int) -> None:
        super()._write(position)
        raise KeyboardInterrupt


def test_ctrl_c_right_after_a_pages_commit_is_a_keyboard_interrupt_and_the_page_stays(
        sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        ledger.execute([c.COMMAND_ADAPTER.validate_python(
            {"type": "RecordFeedback", "feedback_id": f"f{n}", "client": "ann", "kind": "complaint",
             "channel": "app", "text": f"late again ({n})", "occurred_at": "2026-01-05T09:00:00+00:00"})
            for n in range(3)])
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
