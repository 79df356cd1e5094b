"""Writers of one process queued behind another process's hold on a SQLite store's write lock. The library's pool
let a queued writer wait for the process's writer connection inside the gate every connection passes, reads
included: every read of the process (a server's check of its store's position before each answer, the delivery
loop's endpoints) waited the pool's 5 s, WAL or not, and the queued writer failed with the pool's bare
``ConnectionUnavailableError`` (a traceback in the delivery loop's log). Real SQLite files, real threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.stores.common import opened_recorder
from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.port import LedgerStore
from tests.support.sqlite_locks import write_lock_held


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LedgerStore]:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "8")  # above the pool's own 5 s
    with opened_recorder(f"sqlite:///{tmp_path / 'ledger.db'}") as opened:
        yield opened


def writer(store: LedgerStore, errors: list[BaseException], hold: float = 0.0) -> threading.Thread:
    """A thread writing one row (holding its transaction ``hold`` seconds), its failure kept in ``errors``."""
    def write() -> None:
        try:
            with store.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
                cursor.execute("CREATE TABLE IF NOT EXISTS notes (note TEXT)")
                cursor.execute("INSERT INTO notes VALUES ('x')")
                time.sleep(hold)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_read_does_not_wait_behind_two_writers_of_the_process(store: LedgerStore, tmp_path: Path) -> None:
    errors: list[BaseException] = []
    store.max_notification_id()
    with write_lock_held(tmp_path / "ledger.db"):
        first = writer(store, errors)
        time.sleep(0.3)  # the first waits for the lock, holding the process's writer connection
        second = writer(store, errors)
        time.sleep(0.3)  # the second waits its turn
        started = time.monotonic()
        store.max_notification_id()
        took = time.monotonic() - started
    first.join(20)
    second.join(20)
    assert took < 0.5, f"a read took {took:.2f} s behind a writer of its process waiting its turn"
    assert errors == []  # both wrote once the lock was free


def test_a_writer_that_waits_out_its_turn_is_a_lock_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "1")
    errors: list[BaseException] = []
    with opened_recorder(f"sqlite:///{tmp_path / 'ledger.db'}") as store:
        slow = writer(store, [], hold=3.0)  # holds the process's writer connection longer than the busy timeout
        time.sleep(0.3)
        started = time.monotonic()
        writer(store, errors).join(20)
        took = time.monotonic() - started
        slow.join(20)
    assert len(errors) == 1 and isinstance(errors[0], LockWaitTimeout), errors
    assert "another writer of this process" in str(errors[0])
    assert took < 2.5, f"the writer waited {took:.2f} s for a busy timeout of 1 s"
