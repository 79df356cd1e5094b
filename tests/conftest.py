"""Shared fixtures: real stores (a SQLite file, a PostgreSQL schema of its own) and a real views file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kafka_broker import kafka_bootstrap  # noqa: F401 - the session's broker, for every test that asks
from web_harness import browser, served  # noqa: F401 - chromium and a running server, for the browser tests

POSTGRES_URL = os.environ.get("CLIENTOCRACY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("CLIENTOCRACY_REQUIRE_POSTGRES") == "1"


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why its tests cannot run here."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.split("?")[0], connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # any failure to reach it is a reason to skip
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({error.__class__.__name__}: {error})"
    return None


_PG_REASON = _postgres_reason()


def require_postgres() -> None:
    if _PG_REASON is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"CLIENTOCRACY_REQUIRE_POSTGRES=1 but {_PG_REASON}")
    pytest.skip(_PG_REASON)


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{POSTGRES_URL}?schema={schema}"
    _drop_schema(schema)


@contextmanager
def _store(kind: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty store of this kind: its URL, and everything it held dropped afterwards."""
    if kind == "memory":
        from domain.stores.memory import discard_named_store

        name = f"test-{uuid.uuid4().hex[:12]}"
        yield f"memory://{name}"  # named: every Ledger.open of the URL in this process sees the same store
        discard_named_store(name)
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
    else:
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        yield f"{POSTGRES_URL}?schema={schema}"
        _drop_schema(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test against both stores a file or another process can reach."""
    with _store(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store-behaviour test (receipts, tracking, chain, keys) against all three adapters, in memory too."""
    with _store(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def memory_url() -> Iterator[str]:
    with _store("memory", Path()) as url:
        yield url


@pytest.fixture
def views_path(tmp_path: Path) -> Path:
    return tmp_path / "views.duckdb"


@pytest.fixture
def ledger(store_url: str):  # type: ignore[no-untyped-def]
    from domain.service.ledger import Ledger

    app = Ledger.open(store_url)
    yield app
    app.close()


@pytest.fixture
def any_ledger(any_store_url: str):  # type: ignore[no-untyped-def]
    """A ledger on each of the three store adapters (see ``any_store_url``)."""
    from domain.service.ledger import Ledger

    app = Ledger.open(any_store_url)
    yield app
    app.close()
