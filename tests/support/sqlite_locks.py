"""Another process's hold on a SQLite store's write lock (a ``BEGIN IMMEDIATE`` left open), and counting rows
behind the store's back, and a served company on such a file: what the SQLite lock-wait tests share."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def write_lock_held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection that took the database's write lock in a transaction it keeps open, rolled back at
    the end (as a shell's ``BEGIN IMMEDIATE`` or a stuck process would)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield other
        finally:
            other.execute("ROLLBACK")


def count(path: Path, table: str, where: str = "1") -> int:
    """Rows read by a connection of its own (WAL: a reader is not blocked by the held write lock)."""
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])


@contextmanager
def served_company(folder: Path, monkeypatch: pytest.MonkeyPatch, busy_timeout: int) -> Iterator[dict[str, Any]]:
    """A server (``company_server``) over a SQLite file holding carol (the council) and the team ops, its process
    waiting ``busy_timeout`` seconds for the write lock: the world of the tests of a request under a held lock."""
    from tests.support.company_server import company_server
    from tests.support.scenario import Scenario

    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", str(busy_timeout))  # the server's process inherits it
    lines = Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops").lines()
    with company_server(f"sqlite:///{folder / 'ledger.db'}", folder, lines, ["carol"]) as served:
        yield served
