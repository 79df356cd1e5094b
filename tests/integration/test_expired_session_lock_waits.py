"""A browser whose session expired, while another session holds the store's lock (SQLite: the write lock;
PostgreSQL: the session's row): its request is answered at once as signed out. Reading the session deleted the
expired row there and then, a write that waited out the lock's bound (5 s by default) and then failed the request,
where the browser should have been sent to sign in again. The next sign-in sweeps expired rows away."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from domain.stores.common import opened_recorder
from domain.stores.port import LedgerStore
from domain.stores.sessions import sessions_in
from tests.support import pg_locks, sqlite_locks
from web.sessions import IDLE_SECONDS, Sessions

BOUND = 3
PROMPT = 1.0


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LedgerStore]:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", str(BOUND))
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", str(BOUND))
    with opened_recorder(store_url) as opened:
        yield opened


def held(store_url: str) -> AbstractContextManager[Any]:
    if store_url.startswith("sqlite"):
        return sqlite_locks.write_lock_held(Path(store_url.removeprefix("sqlite:///")))
    table = pg_locks.table(store_url, "ledger_events_web_sessions")
    return pg_locks.held(store_url, f"SELECT * FROM {table} FOR UPDATE")


def test_an_expired_session_is_signed_out_at_once_behind_a_held_lock(store: LedgerStore, store_url: str) -> None:
    rows = sessions_in(store)
    sessions = Sessions(rows)
    expired, fresh = sessions.open("t1", "lena"), sessions.open("t2", "otto")
    rows.touch_session(expired.key, time.time() - IDLE_SECONDS - 60)
    with held(store_url):
        started = time.monotonic()
        assert sessions.get(expired.id) is None
        took = time.monotonic() - started
    assert took < PROMPT, f"reading an expired session took {took:.2f} s behind a held lock"
    assert not sessions.alive(expired.id) and sessions.alive(fresh.id)
    sessions.open("t3", "cora")  # a sign-in sweeps the expired rows away
    assert rows.session(expired.key) is None and rows.session(fresh.key) is not None
