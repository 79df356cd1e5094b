"""How long a write of ours waits for SQLite's write lock, and the error when another process kept it.

SQLite has one write lock per database file. A writer queued behind another process that holds it (a
``BEGIN IMMEDIATE`` left open in a shell, a stuck process) waits the busy timeout
(``CLIENTOCRACY_SQLITE_BUSY_TIMEOUT`` seconds) and then gets a bare ``SQLITE_BUSY``. The retry policy counts
``SQLITE_BUSY`` as a write conflict, so it used to wait the timeout out sixteen times (eight minutes) and then
say "write conflict". Such a wait is now ``LockWaitTimeout`` naming the file, not retried, as on PostgreSQL.

The same bare ``SQLITE_BUSY`` also comes back at once, without waiting, when a deferred transaction that
already read tries to become a writer while another writer holds the lock (SQLite cannot wait there: it
would deadlock); the library begins every transaction with a deferred ``BEGIN``, and even its table creation
reads the schema before it inserts. So a write transaction of ours begins with ``BEGIN IMMEDIATE`` instead:
it takes the write lock before reading anything, waiting for it up to the busy timeout, and never has to
upgrade; a ``SQLITE_BUSY`` of it is that wait run out. To be safe against any other source, only a plain
``SQLITE_BUSY`` of a transaction that lasted the busy timeout is called a lock wait; a quicker one stays the
retry policy's write conflict. Reads (WAL mode: they never wait for a writer) are left as they were.

A write that is only bookkeeping (when a token was last used) may instead wait a fraction of a second
(``brief_transaction``): a request must not wait the busy timeout out for it.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import ConnectionUnavailableError, OperationalError
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteFactory, SQLiteTransaction
from eventsourcing.utils import Environment, EnvType

from domain.stores.errors import StoreError
from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.sqlite_pool import LedgerSQLitePool

BUSY_TIMEOUT_ENV = "CLIENTOCRACY_SQLITE_BUSY_TIMEOUT"
BUSY_TIMEOUT = 30
"""Seconds a write waits for the write lock (as long as PostgreSQL's lock bound)."""
WAITED_OUT = 0.9
"""The share of the busy timeout after which a ``SQLITE_BUSY`` counts as the wait run out (SQLite sleeps the
whole timeout before giving up; the margin only absorbs clock granularity)."""


def busy_timeout() -> int:
    """Whole seconds from the environment (read when a store is opened, so a test can shorten it)."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not value:
        return BUSY_TIMEOUT
    if not value.isdigit() or int(value) == 0:
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={value!r}: whole seconds of at least 1 expected")
    return int(value)


def waited_out(error: BaseException, seconds: float, timeout: float) -> bool:
    """Whether ``error`` is SQLite's plain ``SQLITE_BUSY`` after a wait of the whole busy timeout."""
    return busy(error) and seconds >= timeout * WAITED_OUT


def busy(error: BaseException) -> bool:
    """Whether ``error`` (or what it was raised from) is SQLite's plain ``SQLITE_BUSY``."""
    current: BaseException | None = error
    while current is not None:
        if getattr(current, "sqlite_errorname", None) == "SQLITE_BUSY":
            return True
        current = current.__cause__
    return False


class ImmediateTransaction(SQLiteTransaction):
    """The library's transaction, begun with ``BEGIN IMMEDIATE``: it takes the write lock first."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # as the library wraps an error of the transaction's end
            raise OperationalError(error) from error
        return cursor


class BusyBoundedDatastore(SQLiteDatastore):
    """The library's datastore whose write transactions begin immediate and turn a waited-out busy timeout
    into ``LockWaitTimeout`` (the transaction was rolled back, or never began: nothing was written)."""

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        if not commit:
            with super().transaction(commit=False) as cursor:
                yield cursor
            return
        timeout = self.pool.lock_timeout or BUSY_TIMEOUT
        try:  # this process's one writer connection, waited for as long as SQLite waits for the lock
            conn = self.pool.get_connection(timeout=timeout, is_writer=True)
        except ConnectionUnavailableError as error:
            raise LockWaitTimeout(
                f"SQLite: waited {timeout} s for the write lock of {self.pool.db_name}: another writer of this "
                f"process held it, itself waiting for the lock another process holds (an open transaction, a stuck "
                f"process); end it, or wait longer with {BUSY_TIMEOUT_ENV}=SECONDS; nothing was written",
                waited=timeout) from error
        started = time.monotonic()
        try:
            with ImmediateTransaction(conn, commit=True) as cursor, cursor:
                yield cursor
        except OperationalError as error:
            if not waited_out(error, time.monotonic() - started, timeout):
                raise
            raise LockWaitTimeout(
                f"SQLite: waited {timeout} s for the write lock of {self.pool.db_name}: another process holds "
                f"the database's write lock (an open transaction, a stuck process); end it, or wait longer with "
                f"{BUSY_TIMEOUT_ENV}=SECONDS; nothing was written", waited=timeout) from error
        finally:
            self.pool.put_connection(conn)


@contextmanager
def brief_transaction(datastore: SQLiteDatastore, seconds: float) -> Iterator[SQLiteCursor]:
    """A write transaction that waits at most ``seconds`` for the write lock (another thread's of this process
    included), not the busy timeout: else ``LockWaitTimeout`` (nothing was written)."""
    pool = datastore.pool
    not_free = (f"SQLite: the write lock of {pool.db_name} was not free within {seconds:g} s (another writer holds "
                "it); nothing was written")
    try:
        conn = pool.get_connection(timeout=seconds, is_writer=True)
    except ConnectionUnavailableError as error:  # a writer of this process holds it (maybe waiting itself)
        raise LockWaitTimeout(not_free, waited=max(1, round(seconds))) from error
    try:
        previous = conn.cursor().sqlite_cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.cursor().execute(f"PRAGMA busy_timeout = {max(1, round(seconds * 1000))}")
        try:
            with ImmediateTransaction(conn, commit=True) as cursor, cursor:
                yield cursor
        except OperationalError as error:
            if not busy(error):
                raise
            raise LockWaitTimeout(not_free, waited=max(1, round(seconds))) from error
        finally:
            conn.cursor().execute(f"PRAGMA busy_timeout = {int(previous)}")
    finally:
        pool.put_connection(conn)


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory, with the datastore above (same file and settings)."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        made = self.datastore
        self.datastore = BusyBoundedDatastore(
            made.pool.db_name, lock_timeout=made.pool.lock_timeout, single_row_tracking=made.single_row_tracking,
            originator_id_type=made.originator_id_type)
        made.close()  # it never opened a connection
        # Neither did this pool: the one that replaces it waits for a new file's switch to WAL (``sqlite_wal``) and
        # keeps a writer's wait for its turn from holding up the readers (``sqlite_pool``).
        self.datastore.pool = LedgerSQLitePool.like(self.datastore.pool, BUSY_TIMEOUT_ENV)
