"""A new SQLite store's switch to WAL mode waits for other processes opening it at the same moment.

The library's pool switches a file to WAL (``PRAGMA journal_mode=WAL``) on its first connection. On a new
file that switch needs the file's exclusive lock, and SQLite does not call the busy handler for it: while
another process holds a lock of the still rollback-journal file (its own switch, its tables' creation),
the switch fails at once with "database is locked", and that bare ``sqlite3`` error ended the opening
(two ``import`` processes, or an import and ``serve``, started on a new file failed about 1 time in 20).
The switch is now retried, for as long as the busy timeout, before the library's pool connects; once the
file is in WAL mode the library finds it so and switches nothing.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import closing

from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteConnection, SQLiteConnectionPool

from domain.stores.lock_wait import LockWaitTimeout

RETRY_SECONDS = 0.02
"""Pause between attempts: the other opener's lock lasts milliseconds (its tables' creation)."""


def wal_mode(db_name: str, seconds: float, variable: str) -> None:
    """Put the file in WAL mode (as the library would), retrying while another connection's lock makes SQLite
    refuse; after ``seconds``, ``LockWaitTimeout`` naming the file and ``variable`` (the setting to wait longer)."""
    deadline = time.monotonic() + seconds
    with closing(sqlite3.connect(db_name, uri=True, isolation_level=None, timeout=seconds)) as conn:
        while True:
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if getattr(error, "sqlite_errorname", None) != "SQLITE_BUSY":
                    raise
                if time.monotonic() >= deadline:
                    raise LockWaitTimeout(
                        f"SQLite: waited {seconds:g} s to put {db_name} in WAL mode: another process holds its lock "
                        f"(an open transaction, a stuck process); end it, or wait longer with {variable}=SECONDS; "
                        "nothing was written", waited=max(1, round(seconds))) from error
                time.sleep(RETRY_SECONDS)


class FirstOpenPool(SQLiteConnectionPool):
    """The library's pool, whose first connection to a file not yet in WAL mode waits for the switch (above)."""

    variable = ""
    """The environment variable of the bound, named in the error (set by the datastore)."""

    @classmethod
    def like(cls, pool: SQLiteConnectionPool, variable: str) -> FirstOpenPool:
        made = cls(db_name=pool.db_name, lock_timeout=pool.lock_timeout, pool_size=pool.pool_size,
                   max_overflow=pool.max_overflow, pool_timeout=pool.pool_timeout, max_age=pool.max_age,
                   pre_ping=pool.pre_ping)
        made.variable = variable
        return made

    def _create_connection(self) -> SQLiteConnection:
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            wal_mode(self.db_name, float(self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT), self.variable)
        return super()._create_connection()
