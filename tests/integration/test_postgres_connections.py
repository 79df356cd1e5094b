"""Every PostgreSQL connection we open has the shared settings (``stores.pg_connect``): a connect timeout and
TCP keepalives, read off the real sockets; and a password function is asked for each new connection."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg.rows import tuple_row

from domain.stores import chain_verify, pg_connect
from domain.stores.common import opened_recorder
from domain.stores.postgres import LedgerPostgresRecorder
from projections.pages import StoreReadError, _streamed_pages
from tests.support.silent_server import gives_up_on_a_silent_server
from tests.support.stores import postgres_store

pytestmark = pytest.mark.postgres
EXPECTED = (1, 30, 10, 3)
"""SO_KEEPALIVE on, then idle / interval / count as ``pg_connect.KEEPALIVES`` sets them."""


@pytest.fixture()
def store_url() -> Iterator[str]:
    with postgres_store() as url:
        with opened_recorder(url):  # a writer creates the tables
            pass
        yield url


def keepalive_of(conn: psycopg.Connection[Any]) -> tuple[int, int, int, int]:
    """The keepalive options the kernel holds for the connection's socket (kernel defaults: idle 7200 s)."""
    sock = socket.socket(fileno=os.dup(conn.fileno()))
    try:
        return (sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))
    finally:
        sock.close()


def postgres_of(store: object) -> LedgerPostgresRecorder:
    assert isinstance(store, LedgerPostgresRecorder)
    return store


def test_a_writers_pool_connections_have_keepalives(store_url: str) -> None:
    with opened_recorder(store_url) as store, postgres_of(store).datastore.get_connection() as conn:
        assert keepalive_of(conn) == EXPECTED
        assert conn.info.get_parameters()["connect_timeout"] == str(pg_connect.CONNECT_TIMEOUT)


def test_a_readers_connections_have_keepalives(store_url: str) -> None:
    with opened_recorder(store_url, create=False) as store:
        datastore = postgres_of(store).datastore
        with datastore.get_connection() as checked, datastore.get_connection() as second:
            assert checked is not second  # the one that checked the store, and a new one of the reader's
            assert keepalive_of(checked) == keepalive_of(second) == EXPECTED


def session_timeouts(conn: psycopg.Connection[Any]) -> list[str]:
    """lock_timeout, idle_in_transaction_session_timeout and statement_timeout as the session has them."""
    with conn.cursor(row_factory=tuple_row) as cursor:
        return [str(cursor.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
                for name in ("lock_timeout", "idle_in_transaction_session_timeout", "statement_timeout")]


def test_writers_and_readers_sessions_bound_lock_waits_and_idle_transactions(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock wait ends after ``CLIENTOCRACY_PG_LOCK_TIMEOUT``; a session of ours that dies inside a transaction
    is ended by the server (its locks go with it) after the library's idle timeout. No statement timeout."""
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "7")
    for create in (True, False):
        with opened_recorder(store_url, create=create) as store, postgres_of(store).datastore.get_connection() as conn:
            assert session_timeouts(conn) == ["7s", "5s", "0"]


def verify_workers_settings(store_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The connection settings ``verify`` gives its worker processes."""
    given: list[dict[str, Any]] = []
    reader = chain_verify.postgres_reader

    def recorded(settings: dict[str, Any], *tables: str) -> chain_verify.SegmentReader:
        given.append(settings)
        return reader(settings, *tables)

    monkeypatch.setattr(chain_verify, "postgres_reader", recorded)
    with opened_recorder(store_url) as store:
        assert postgres_of(store).verify_chain().ok
    assert len(given) == 1
    return given[0]


def test_verify_workers_connect_with_the_shared_settings(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = verify_workers_settings(store_url, monkeypatch)
    with psycopg.connect(**settings) as conn:
        assert keepalive_of(conn) == EXPECTED
    monkeypatch.setattr(pg_connect, "CONNECT_TIMEOUT", 2)
    settings = verify_workers_settings(store_url, monkeypatch)
    error = gives_up_on_a_silent_server(
        lambda port: chain_verify.postgres_connection_rows({**settings, "port": port}, "e", "c", 0, 1))
    assert isinstance(error, psycopg.OperationalError) and "timeout" in str(error)


@pytest.mark.processes
def test_the_rebuilds_reading_process_gives_up_on_a_silent_server(store_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Its URI has the shared settings: the process fails at the connect timeout and the rebuild stops with
    the reason, where it waited for ever (until a second Ctrl-C)."""
    monkeypatch.setattr(pg_connect, "CONNECT_TIMEOUT", 2)
    with opened_recorder(store_url, create=False) as store:
        source = postgres_of(store).page_source()
    assert source is not None
    with psycopg.connect(source.uri) as conn:  # libpq reads the URI as the reading process's driver does
        assert keepalive_of(conn) == EXPECTED
    parts = urlsplit(source.uri)

    def rebuild_from(port: int) -> None:
        silent = source._replace(uri=parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}").geturl())
        list(_streamed_pages(silent, 1, 1000))

    error = gives_up_on_a_silent_server(rebuild_from)
    assert isinstance(error, StoreReadError) and "timeout" in str(error)


PASSWORDS: list[str] = []


def next_password() -> str:
    """A password function (``POSTGRES_GET_PASSWORD_TOPIC``): a new password each call, as a rotating
    token would be (the test server trusts any)."""
    PASSWORDS.append(f"token-{len(PASSWORDS) + 1}")
    return PASSWORDS[-1]


def test_a_reader_asks_the_password_function_for_each_new_connection(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_POSTGRES_GET_PASSWORD_TOPIC", f"{__name__}:next_password")
    PASSWORDS.clear()
    with opened_recorder(store_url, create=False) as store:
        datastore = postgres_of(store).datastore
        with datastore.get_connection() as checked:
            assert checked.info.password == "token-1"  # the schema check's connection, kept by the reader
            for _ in range(2):  # two nested reads: a new connection each
                with datastore.get_connection() as conn:
                    assert conn is not checked
                    assert conn.info.password == PASSWORDS[-1]
        assert len(PASSWORDS) == 3
        source = postgres_of(store).page_source()  # the reading process gets the current password too
        assert source is not None and urlsplit(source.uri).password == PASSWORDS[-1] == "token-4"
