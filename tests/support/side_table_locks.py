"""A store whose lock waits are bounded, and another session holding the lock a side table's write needs
(SQLite: the database's write lock; PostgreSQL: rows of the table): what the tests of the side tables' short waits
(token uses, sign-in sessions) share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from domain.stores.common import opened_recorder
from domain.stores.port import LedgerStore
from tests.support import pg_locks, sqlite_locks

BOUND = 3
"""Seconds the ``bounded_store`` fixture's writes wait for a lock at most: far longer than a short wait's."""
PROMPT = 1.0
"""A short wait behind a held lock ends within this many seconds."""


@contextmanager
def bounded_store(store_url: str, monkeypatch: pytest.MonkeyPatch, bound: int) -> Iterator[LedgerStore]:
    """The store at ``store_url``, its writes waiting ``bound`` seconds at most for a lock."""
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", str(bound))
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", str(bound))
    with opened_recorder(store_url) as opened:
        yield opened


def held(store_url: str, table: str, where: str = "true") -> AbstractContextManager[Any]:
    """Another session holding what a write of the side table ``table`` (``side_tables.side_table``'s name) needs."""
    if store_url.startswith("sqlite"):
        return sqlite_locks.write_lock_held(Path(store_url.removeprefix("sqlite:///")))
    rows = pg_locks.table(store_url, f"ledger_events_{table}")
    return pg_locks.held(store_url, f"SELECT * FROM {rows} WHERE {where} FOR UPDATE")
