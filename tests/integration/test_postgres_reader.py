"""A PostgreSQL reader opens one connection: the one that checked the store exists (``stores.postgres_reader``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from eventsourcing.utils import Environment

from domain.service.ledger import Ledger
from domain.stores import pg_connect, postgres_reader
from domain.stores.common import opened_recorder
from domain.stores.errors import StoreMissing
from domain.stores.port import LEDGER_NAME
from domain.stores.postgres import LedgerPostgresRecorder
from tests.support.silent_server import gives_up_on_a_silent_server
from tests.support.stores import POSTGRES_URL, postgres_store

pytestmark = pytest.mark.postgres


@pytest.fixture()
def store_url() -> Iterator[str]:
    with postgres_store() as url:
        with opened_recorder(url):  # a writer creates the tables
            pass
        yield url


def counting_connects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every connection opened from now on (``psycopg.connect`` and the pool's ``Connection.connect``)."""
    opened: list[int] = []
    connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]

    def counted(cls: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return connect(cls, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(counted))
    monkeypatch.setattr(psycopg, "connect", psycopg.Connection.connect)
    return opened


def backend_pid(store: LedgerPostgresRecorder) -> int:
    with store.datastore.get_connection() as conn:
        return int(conn.info.backend_pid)


def test_a_reader_checks_and_reads_on_one_connection(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = counting_connects(monkeypatch)
    with opened_recorder(store_url, create=False) as store:
        assert isinstance(store, LedgerPostgresRecorder)
        assert store.store_identity() is not None
        assert store.select_notification_rows(1, 10) == []
        assert backend_pid(store) == backend_pid(store)
    assert len(opened) == 1


def test_a_nested_read_gets_a_connection_of_its_own(store_url: str) -> None:
    with opened_recorder(store_url, create=False) as store:
        assert isinstance(store, LedgerPostgresRecorder)
        first = backend_pid(store)
        with store.datastore.get_connection() as outer:
            assert backend_pid(store) != outer.info.backend_pid == first  # not the busy one, nor a deadlock
            assert store.store_identity() is not None


def test_a_reader_replaces_a_connection_the_server_dropped(store_url: str) -> None:
    with opened_recorder(store_url, create=False) as store:
        assert isinstance(store, LedgerPostgresRecorder)
        dropped = backend_pid(store)
        with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
        with pytest.raises(OperationalError):  # the use that finds it dropped fails, as on the library's pool
            store.store_identity()
        assert store.store_identity() is not None
        assert backend_pid(store) != dropped


def test_a_reader_of_a_schema_without_the_ledger_gets_store_missing() -> None:
    with postgres_store() as url, pytest.raises(StoreMissing, match="no store at"), opened_recorder(url, create=False):
        pass


def test_a_reader_gives_up_on_a_server_that_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new connection has the checked one's connect timeout: a host that takes the connection and then
    says nothing (a hung server) is an error after it, not a reader waiting forever."""
    monkeypatch.setattr(pg_connect, "CONNECT_TIMEOUT", 2)  # the store's is 10 s

    def read(port: int) -> None:
        env = Environment(LEDGER_NAME, {"POSTGRES_DBNAME": "test", "POSTGRES_HOST": "127.0.0.1",
                                        "POSTGRES_PORT": str(port), "POSTGRES_USER": "postgres",
                                        "POSTGRES_PASSWORD": ""})
        factory = postgres_reader.ReaderPostgresFactory(env)
        try:
            with factory.datastore.get_connection():
                pass
        finally:
            factory.close()

    failed = gives_up_on_a_silent_server(read)
    assert isinstance(failed, OperationalError) and "timeout" in str(failed)


def test_closing_a_reader_while_another_thread_reads_closes_its_connection_when_given_back(store_url: str) -> None:
    with opened_recorder(store_url, create=False) as store:
        assert isinstance(store, LedgerPostgresRecorder)
        taken, closed, outcome = threading.Event(), threading.Event(), []

        def read_across_close() -> None:
            with store.datastore.get_connection() as conn:
                taken.set()
                closed.wait(10)
                outcome.append(conn.execute("SELECT 1 AS one").fetchone())  # not closed under its user
            outcome.append(conn.closed)  # but closed as it was given back

        reader = threading.Thread(target=read_across_close)
        reader.start()
        assert taken.wait(10)
        store.datastore.close()
        closed.set()
        reader.join(10)
        assert outcome == [{"one": 1}, True]
        with pytest.raises(OperationalError, match="closed"):  # a closed reader opens no new connection
            store.store_identity()


def _open_recorder(url: str) -> None:
    with opened_recorder(url, create=False):
        pass


def _open_ledger(url: str) -> None:
    Ledger.open(url, create=False).close()


@pytest.mark.parametrize("open_reader", [_open_recorder, _open_ledger])
@pytest.mark.parametrize(("variable", "value"), [
    ("LEDGER_POSTGRES_POOL_SIZE", "many"),  # the reader's factory fails as it is built
    ("LEDGER_PERSISTENCE_MODULE", "domain.no_such_module"),  # no reader's factory is ever built
])
def test_a_reader_that_cannot_be_built_closes_the_connection_handed_over(
        store_url: str, monkeypatch: pytest.MonkeyPatch, open_reader: Callable[[str], None], variable: str,
        value: str) -> None:
    handed: list[psycopg.Connection[Any]] = []
    keep = postgres_reader.hand_over
    monkeypatch.setattr(postgres_reader, "hand_over", lambda conn: handed.append(conn) or keep(conn))
    monkeypatch.setenv(variable, value)
    with pytest.raises(Exception):  # noqa: B017 - the bad setting's own error
        open_reader(store_url)
    assert len(handed) == 1
    assert handed[0].closed
