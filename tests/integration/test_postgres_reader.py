"""A PostgreSQL reader opens one connection: the one that checked the store exists (``stores.postgres_reader``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from domain.stores.common import opened_recorder
from domain.stores.errors import StoreMissing
from domain.stores.postgres import LedgerPostgresRecorder
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
