"""The SQLite store's connection pool: a writer of this process waiting its turn does not hold up the readers.

The library's pool hands out every connection, reads included, through one first-come-first-served gate, and a
writer waits inside it for the process's one writer connection. Behind another process's write lock the writer
connection's holder waits the busy timeout (30 s by default) for SQLite; a second writer of this process then
held the gate until the pool's timeout (5 s), so every read of the process waited as long, WAL or not (a server
checking its store's position before each answer, the delivery loop reading its endpoints), and the second
writer failed with the pool's bare ``ConnectionUnavailableError``, logged with a traceback. Here a writer waits
for its turn outside the gate; the datastore (``sqlite_busy``) bounds that wait by the busy timeout, as SQLite
bounds the wait for the lock itself, and names it as ``LockWaitTimeout``.
"""
from __future__ import annotations

import time

from eventsourcing.persistence import ConnectionUnavailableError
from eventsourcing.sqlite import SQLiteConnection

from domain.stores.sqlite_wal import FirstOpenPool


class LedgerSQLitePool(FirstOpenPool):
    def get_connection(self, timeout: float | None = None, *, is_writer: bool | None = None) -> SQLiteConnection:
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
