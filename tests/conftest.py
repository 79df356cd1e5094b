"""Shared fixtures: real stores (a SQLite file, a PostgreSQL schema of its own) and a real views file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test against both stores."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
    else:
        require_postgres()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        yield f"{POSTGRES_URL}?schema={schema}"
        _drop_schema(schema)


@pytest.fixture
def views_path(tmp_path: Path) -> Path:
    return tmp_path / "views.duckdb"


@pytest.fixture
def ledger(store_url: str):  # type: ignore[no-untyped-def]
    from domain.service.ledger import Ledger

    app = Ledger.open(store_url)
    yield app
    app.close()
