"""A PostgreSQL reader runs on the one connection that checked its store exists.

A ``show`` command reads a few rows: a second connection for the library's pool (a server process
started, authenticated and configured) and the pool's worker threads were a good part of its time.
The schema check (``postgres_schema.prepare_schema``) hands its open connection over here; the reader's
factory serves it to the recorder. Writers keep the library's pool.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.utils import Environment
from psycopg.rows import dict_row
from psycopg_pool import PoolClosed

from domain.stores.pg_connect import LedgerPostgresFactory, connect_kwargs

HANDED_OVER = "LEDGER_POSTGRES_CONNECTION"
"""The environment key naming the checked connection a reader's factory takes over."""
_connections: dict[str, psycopg.Connection[Any]] = {}
_tokens = itertools.count(1)


def hand_over(conn: psycopg.Connection[Any]) -> str:
    """Keep the checked connection for the reader's factory; the token goes into its environment."""
    token = str(next(_tokens))
    _connections[token] = conn
    return token


def take_over(token: str | None) -> psycopg.Connection[Any] | None:
    """The connection handed over under ``token``, once: whoever takes it closes it."""
    return _connections.pop(token or "", None)


def close_unclaimed(token: str | None) -> None:
    """Close the connection handed over under ``token`` if no factory took it (its construction failed)."""
    conn = take_over(token)
    if conn is not None:
        conn.close()


class OneConnection:
    """What the library's datastore asks of its pool, served by one connection.

    A second user while it is busy (another thread, or a nested read) gets a connection of its own
    for that use, as the pool's overflow would give; a connection the server dropped is replaced.
    Once closed it serves nobody (``PoolClosed``, as the library's pool); a connection in use when
    it closes is closed as its user gives it back, never under the user's feet.
    """

    def __init__(self, kwargs: dict[str, Any], configure: Callable[[psycopg.Connection[Any]], None],
                 conn: psycopg.Connection[Any] | None, get_password_func: Callable[[], str] | None = None) -> None:
        self.kwargs = kwargs
        self.get_password_func = get_password_func
        """Asked for the password of each new connection (``connect_kwargs``), as the library's pool does."""
        self._configure = configure
        self._state = threading.Lock()
        """Guards the three fields below; held to read or change them, never while connecting or querying."""
        self._conn = conn
        self._busy = False
        self._closed = False
        if conn is not None:
            conn.row_factory = dict_row
            configure(conn)

    def _new(self) -> psycopg.Connection[Any]:
        kwargs = connect_kwargs(self)
        assert kwargs is not None  # a reader's settings are plain keywords
        conn = psycopg.connect(**kwargs, row_factory=dict_row)
        try:
            self._configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        """Connections are opened on demand."""

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        conn, shared = self._take()
        try:
            yield conn
        finally:
            self._give_back(conn, shared)

    def _take(self) -> tuple[psycopg.Connection[Any], bool]:
        """The shared connection when it is free (replaced if the server dropped it), else one for this use
        alone; and whether it is the shared one."""
        with self._state:
            if self._closed:
                raise PoolClosed("the reader's store connection is closed")
            shared, self._busy = not self._busy, True
            conn = self._conn
        if not shared:
            return self._new(), False
        if conn is None or conn.closed or conn.broken:
            try:
                fresh = self._new()
            except BaseException:
                self._give_back(conn, True)
                raise
            if conn is not None:
                conn.close()  # broken: this frees its socket
            with self._state:
                self._conn = conn = fresh
        return conn, True

    def _give_back(self, conn: psycopg.Connection[Any] | None, shared: bool) -> None:
        if not shared:
            if conn is not None:
                conn.close()
            return
        with self._state:
            self._busy = False
            closing = self._closed
            if closing:
                self._conn = None
        if closing and conn is not None:
            conn.close()

    def close(self) -> None:
        """Close the shared connection now, or as its user gives it back; refuse every later use."""
        with self._state:
            self._closed = True
            idle = None if self._busy else self._conn
            if idle is not None:
                self._conn = None
        if idle is not None:
            idle.close()

    def __enter__(self) -> OneConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReaderPostgresFactory(LedgerPostgresFactory):
    """Our PostgreSQL factory whose datastore reads through the checked connection.

    Its new connections have the checked one's settings (``pg_connect``): a server gone silent is an
    error, not a reader waiting forever; and the password function's current password, if one is set."""

    def __init__(self, env: Environment) -> None:
        conn = take_over(env.get(HANDED_OVER))  # first: if anything below fails, it is closed, not kept
        try:
            super().__init__(env)
            datastore = self.datastore
            kwargs = datastore.pool.kwargs
            assert isinstance(kwargs, dict)  # the library's datastore passes plain keywords
            pool = OneConnection(kwargs, datastore.after_connect_func(), conn, datastore.pool.get_password_func)
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        datastore.pool = pool  # type: ignore[assignment]
