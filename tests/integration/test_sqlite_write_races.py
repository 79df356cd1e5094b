"""Two writers racing on one SQLite file: a write of ours takes the write lock before it reads (so it never
loses the race half-way, and a busy wait it runs out is a lock wait), while a quick ``SQLITE_BUSY`` of a
deferred transaction that lost the race (read, then could not become a writer) is still a write conflict the
retry policy tries again."""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
from eventsourcing.sqlite import SQLiteDatastore

from domain.service.ledger import Ledger
from domain.service.retry import RetryPolicy
from tests.support.sqlite_locks import count, write_lock_held


@pytest.fixture()
def path(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    Ledger.open(f"sqlite:///{path}").close()
    return path


def test_a_write_holds_the_write_lock_from_its_start(path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{path}")
    try:
        with ledger.store.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            c.execute("SELECT count(*) FROM receipts")
            with closing(sqlite3.connect(path, timeout=0)) as other, pytest.raises(sqlite3.OperationalError) as raised:
                other.execute("BEGIN IMMEDIATE")  # another writer cannot slip in between our read and our write
            assert raised.value.sqlite_errorname == "SQLITE_BUSY"
            c.execute("INSERT INTO receipts (key) VALUES ('ours')")
    finally:
        ledger.close()
    assert count(path, "receipts", "key = 'ours'") == 1


def test_a_deferred_writer_that_lost_the_race_is_tried_again(path: Path) -> None:
    deferred = SQLiteDatastore(str(path), lock_timeout=30)  # the library's own: ``BEGIN``, then read, then write
    calls: list[bool] = []

    def attempt(last: bool) -> None:
        calls.append(last)
        with ExitStack() as other, deferred.transaction(commit=True) as c:
            c.execute("SELECT count(*) FROM receipts")
            if len(calls) == 1:  # another writer takes the lock between our read and our write
                other.enter_context(write_lock_held(path))
            c.execute("INSERT INTO receipts (key) VALUES ('race')")

    try:
        RetryPolicy(attempts=4, first_delay=0.0).run(attempt)
    finally:
        deferred.close()
    assert calls == [False, False]  # the quick busy (no 30 s wait) was a conflict, retried once
    assert count(path, "receipts", "key = 'race'") == 1
