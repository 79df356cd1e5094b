"""Noting a token's use behind a lock another session holds (SQLite: the write lock; PostgreSQL: the token's row):
the note waits a fifth of a second at most, is skipped in one line of the log, never fails nor holds the request
the store's lock bound (it waited it out, 30 s by default, and logged a traceback); the next interval writes."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.service.token_use import TokenUses
from domain.stores.common import opened_recorder
from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.port import LedgerStore
from domain.stores.token_uses import token_uses_in
from tests.support import side_table_locks, sqlite_locks
from tests.support.side_table_locks import BOUND, PROMPT

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TOKEN = "d" * 16


def held(store_url: str) -> AbstractContextManager[Any]:
    return side_table_locks.held(store_url, "token_uses", f"token_id = '{TOKEN}'")


def test_a_use_behind_a_held_lock_is_skipped_at_once_in_one_line(
        bounded_store: LedgerStore, store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    table = token_uses_in(bounded_store)
    table.mark_used(TOKEN, AT.timestamp())
    with held(store_url):
        started = time.monotonic()
        assert not TokenUses(table).note(TOKEN, AT + timedelta(minutes=1))
        took = time.monotonic() - started
    assert took < PROMPT, f"noting a use took {took:.2f} s behind a held lock"
    assert table.last_used([TOKEN]) == {TOKEN: AT.timestamp()}  # skipped, nothing else changed
    skipped = [r for r in caplog.records if "not recorded this minute" in r.getMessage()]
    assert len(skipped) == 1 and skipped[0].levelno == logging.WARNING and not skipped[0].exc_info, caplog.text
    assert TokenUses(table).note(TOKEN, AT + timedelta(minutes=2))  # the lock released: written again
    assert table.last_used([TOKEN]) == {TOKEN: (AT + timedelta(minutes=2)).timestamp()}


def test_a_use_does_not_queue_behind_a_writer_of_its_own_process_waiting_for_the_lock(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread's write waiting out the busy timeout holds this process's one writer connection."""
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", str(BOUND))
    with opened_recorder(sqlite_url) as store:
        table = token_uses_in(store)
        table.mark_used(TOKEN, AT.timestamp())
        with sqlite_locks.write_lock_held(Path(sqlite_url.removeprefix("sqlite:///"))):
            def write() -> None:
                with suppress(LockWaitTimeout), store.datastore.transaction(commit=True):
                    pass

            waiting = threading.Thread(target=write, daemon=True)
            waiting.start()
            time.sleep(0.3)  # it holds the writer connection, waiting for the lock
            started = time.monotonic()
            assert not TokenUses(table).note(TOKEN, AT + timedelta(minutes=1))
            took = time.monotonic() - started
            waiting.join(timeout=BOUND + 5)
        assert took < PROMPT, f"noting a use took {took:.2f} s behind this process's waiting writer"
