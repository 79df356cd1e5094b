"""A PostgreSQL reader runs on the one connection that checked its store exists.

A ``show`` command reads a few rows: a second connection for the library's pool (a server process
started, authenticated and configured) and the pool's worker threads were a good part of its time.
The schema check (``postgres.prepare_schema``) hands its open connection over here; the reader's
factory serves it to the recorder. Writers keep the library's pool.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment
from psycopg.rows import dict_row

HANDED_OVER = "LEDGER_POSTGRES_CONNECTION"
"""The environment key naming the checked connection a reader's factory takes over."""
_connections: dict[str, psycopg.Connection[Any]] = {}
_tokens = itertools.count(1)


def hand_over(conn: psycopg.Connection[Any]) -> str:
    """Keep the checked connection for the reader's factory; the token goes into its environment."""
    token = str(next(_tokens))
    _connections[token] = conn
    return token


class OneConnection:
    """What the library's datastore asks of its pool, served by one connection.

    A second user while it is busy (another thread, or a nested read) gets a connection of its own
    for that use, as the pool's overflow would give; a connection the server dropped is replaced.
    """

    def __init__(self, kwargs: dict[str, Any], configure: Callable[[psycopg.Connection[Any]], None],
                 conn: psycopg.Connection[Any] | None) -> None:
        self.kwargs = kwargs
        self._configure = configure
        self._conn = conn
        self._lock = threading.Lock()
        if conn is not None:
            conn.row_factory = dict_row
            configure(conn)

    def _new(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(**self.kwargs)
        self._configure(conn)
        return conn

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        """Connections are opened on demand."""

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        if not self._lock.acquire(blocking=False):
            with self._new() as extra:  # closed after this use
                yield extra
            return
        try:
            if self._conn is None or self._conn.closed or self._conn.broken:
                self._conn = self._new()
            yield self._conn
        finally:
            self._lock.release()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def __enter__(self) -> OneConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReaderPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory whose datastore reads through the checked connection."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        datastore = self.datastore
        kwargs = datastore.pool.kwargs
        assert isinstance(kwargs, dict)  # the library's datastore passes plain keywords
        conn = _connections.pop(env.get(HANDED_OVER) or "", None)
        datastore.pool = OneConnection(dict(kwargs), datastore.after_connect_func(), conn)  # type: ignore[assignment]
