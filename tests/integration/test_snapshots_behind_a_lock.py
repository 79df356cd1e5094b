"""A snapshot is a cache written after a batch is committed: when another process holds the SQLite store's write
lock past its bound at that moment, the batch is still reported recorded (an error saying "nothing was written"
would be false, and a command without an id retried on it would be recorded twice)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service import snapshots
from domain.service.ledger import Ledger
from tests.support.scenario import Scenario
from tests.support.sqlite_locks import count, write_lock_held


def test_a_snapshot_behind_a_held_write_lock_does_not_fail_a_recorded_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "1")
    monkeypatch.setattr(snapshots, "INTERVAL", 1)  # every new event's aggregate is due a snapshot
    path = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{path}")
    held = ExitStack()
    record = ledger.record

    def record_then_another_process_takes_the_lock(*args: Any, **kwargs: Any) -> Any:
        position = record(*args, **kwargs)  # committed
        held.enter_context(write_lock_held(path))  # another process's batch, held past the busy timeout
        return position

    monkeypatch.setattr(ledger, "record", record_then_another_process_takes_the_lock)
    commands = [COMMAND_ADAPTER.validate_python(line)
                for line in Scenario(at="2026-01-01T09:00:00Z").team("ops", id="t").lines()]
    try:
        with held:
            result = ledger.execute(commands)
        assert result.events >= 1 and result.rejected == []
        assert count(path, "stored_events") == result.events
    finally:
        ledger.close()
