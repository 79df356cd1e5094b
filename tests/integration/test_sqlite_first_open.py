"""Opening a new SQLite store while another process holds the new file's lock (its own first opening: the switch
to WAL mode, the tables' creation): the opening waits for it, up to the busy timeout, instead of failing at once
with "cannot open it (database is locked)" (two imports started on a new file failed about 1 time in 20)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from domain.service.ledger import Ledger
from domain.stores.lock_wait import LockWaitTimeout
from tests.support.sqlite_locks import count, write_lock_held

HELD = 1.0


def test_an_opening_waits_for_another_openers_lock_on_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with closing(sqlite3.connect(path, isolation_level=None, check_same_thread=False)) as other:
        other.execute("BEGIN IMMEDIATE")  # a new file: still in rollback-journal mode, as another opener's is
        other.execute("CREATE TABLE other_opener (x)")
        releasing = threading.Timer(HELD, other.execute, ["COMMIT"])
        releasing.start()
        started = time.monotonic()
        try:
            ledger = Ledger.open(f"sqlite:///{path}")
        finally:
            releasing.join()
        waited = time.monotonic() - started
    try:
        assert waited >= HELD * 0.8, waited
        assert count(path, "stored_events") == 0 and count(path, "other_opener") == 0
    finally:
        ledger.close()


def test_an_opening_gives_up_after_the_busy_timeout_naming_the_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "1")
    path = tmp_path / "new.db"
    with write_lock_held(path):
        started = time.monotonic()
        with pytest.raises(LockWaitTimeout, match="CLIENTOCRACY_SQLITE_BUSY_TIMEOUT") as raised:
            Ledger.open(f"sqlite:///{path}")
        waited = time.monotonic() - started
    assert str(path) in str(raised.value)
    assert 0.9 <= waited < 5, waited
