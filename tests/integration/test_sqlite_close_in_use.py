"""Closing a SQLite store while another thread's write waits for another process's lock (a server's request or
background thread past a stop's waits): the library's pool closed the connection under the waiting write, which
then ran on freed memory (a ``MemoryError``, an error, once a crash of the process). The pool now waits a moment,
then leaves the connection to its user and closes it when given back. Real SQLite files, real threads."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from eventsourcing.persistence import ConnectionPoolClosedError

from domain.stores.common import opened_recorder
from domain.stores.sqlite_pool import CLOSE_WAIT
from tests.support.sqlite_locks import count, write_lock_held


def test_a_close_leaves_a_write_waiting_for_the_lock_its_connection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "20")
    path = tmp_path / "ledger.db"
    errors: list[BaseException] = []
    with opened_recorder(f"sqlite:///{path}") as store:
        store.max_notification_id()
        pool = store.datastore.pool  # type: ignore[attr-defined]

        def write() -> None:
            try:
                with store.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
                    cursor.execute("CREATE TABLE notes (note TEXT)")
                    cursor.execute("INSERT INTO notes VALUES ('written after the close')")
            except BaseException as error:
                errors.append(error)

        with write_lock_held(path):
            thread = threading.Thread(target=write)
            thread.start()
            time.sleep(0.5)  # the write waits for the lock, holding its connection
            assert pool.num_in_use == 1
            started = time.monotonic()
            pool.close()
            took = time.monotonic() - started
            assert CLOSE_WAIT - 0.1 <= took < CLOSE_WAIT + 2, took
            assert pool.closed and pool.num_in_use == 1  # left to its user, not closed under it
        thread.join(30)
    assert not thread.is_alive() and errors == []
    assert count(path, "notes") == 1  # the waiting write went through once the lock went
    assert pool.num_in_use == 0  # given back, and closed then
    with pytest.raises(ConnectionPoolClosedError):  # closed for every new user
        store.max_notification_id()


def test_a_close_of_an_idle_store_does_not_wait(tmp_path: Path) -> None:
    with opened_recorder(f"sqlite:///{tmp_path / 'ledger.db'}") as store:
        store.max_notification_id()
        started = time.monotonic()
        store.datastore.pool.close()  # type: ignore[attr-defined]
        assert time.monotonic() - started < 0.5
    with sqlite3.connect(tmp_path / "ledger.db") as conn:  # the file is whole and readable
        conn.execute("PRAGMA integrity_check").fetchone()
