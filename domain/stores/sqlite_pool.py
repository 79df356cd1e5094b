"""The SQLite store's connection pool: a writer of this process waiting its turn does not hold up the readers.

The library's pool hands out every connection, reads included, through one first-come-first-served gate, and a
writer waits inside it for the process's one writer connection. Behind another process's write lock the writer
connection's holder waits the busy timeout (30 s by default) for SQLite; a second writer of this process then
held the gate until the pool's timeout (5 s), so every read of the process waited as long, WAL or not (a server
checking its store's position before each answer, the delivery loop reading its endpoints), and the second
writer failed with the pool's bare ``ConnectionUnavailableError``, logged with a traceback. Here a writer waits
for its turn outside the gate; the datastore (``sqlite_busy``) bounds that wait by the busy timeout, as SQLite
bounds the wait for the lock itself, and names it as ``LockWaitTimeout``.

The library's ``close`` also closed the connections in use, under their users: a request or background thread
still waiting for another process's lock at a stop then ran its statement on a freed connection (a
``MemoryError``, once a crash of the process). Here ``close`` waits a moment for them, and a connection still in
use is closed when its user gives it back.
"""
from __future__ import annotations

import time

from eventsourcing.persistence import ConnectionPoolClosedError, ConnectionUnavailableError
from eventsourcing.sqlite import SQLiteConnection

from domain.stores.sqlite_wal import FirstOpenPool

CLOSE_WAIT = 2.0
"""Seconds ``close`` waits for the connections in use to come back (each returns in milliseconds, unless its
user waits for another process's lock)."""


class LedgerSQLitePool(FirstOpenPool):
    def get_connection(self, timeout: float | None = None, *, is_writer: bool | None = None) -> SQLiteConnection:
        if self._closed:  # before waiting for the writer's turn, which a write left to its user may hold long
            raise ConnectionPoolClosedError
        if is_writer is not True or self._mutually_exclusive_read_write:  # in memory: the library's interlock
            return super().get_connection(timeout, is_writer=is_writer)
        bound = self.pool_timeout if timeout is None else timeout
        started = time.monotonic()
        if not self._writer_lock.acquire(timeout=bound):
            raise ConnectionUnavailableError("Timed out waiting for return of writer")
        try:
            conn = super().get_connection(max(0.0, bound - (time.monotonic() - started)), is_writer=None)
        except BaseException:
            self._writer_lock.release()
            raise
        self._num_writers += 1
        conn.is_writer = True  # so that ``put_connection`` releases the writer's turn, as for the library's
        return conn

    def close(self, wait: float = CLOSE_WAIT) -> None:
        """Close the pool once no connection is in use, ``wait`` seconds at most; one still in use then is left to
        its user, and closed when given back (``put_connection``)."""
        deadline = time.monotonic() + wait
        with self._put_condition:
            while self._in_use and not self._closed and time.monotonic() < deadline:
                self._put_condition.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            if self._closed:
                return
            while self._pool:
                self._pool.popleft().close()
            self._closed = True

    def put_connection(self, conn: SQLiteConnection) -> None:
        with self._put_condition:  # a re-entrant lock: the library's own ``put_connection`` takes it again
            if not (self._closed and id(conn) in self._in_use):
                super().put_connection(conn)
                return
            del self._in_use[id(conn)]  # given back after the pool closed without it
            is_writer, conn.is_writer = conn.is_writer, None
            conn.close()
            conn.in_use.release()
            if is_writer is True:
                self._num_writers -= 1
                self._writer_lock.release()
            elif is_writer is False:
                with self._no_readers:
                    self._num_readers -= 1
                    self._no_readers.notify_all()
            self._put_condition.notify_all()

    def __del__(self) -> None:
        self.close(wait=0.0)
