"""Another process's hold on a SQLite store's write lock (a ``BEGIN IMMEDIATE`` left open), and counting rows
behind the store's back: what the SQLite lock-wait tests share."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


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
