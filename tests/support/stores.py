"""Stores for the tests: the in-memory store, a SQLite file in a test's folder, or a PostgreSQL schema of its own.

PostgreSQL is the server at 127.0.0.1:5432 (or ``CLIENTOCRACY_TEST_POSTGRES``); where it does not answer,
its tests skip with the reason, unless ``CLIENTOCRACY_REQUIRE_POSTGRES=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("CLIENTOCRACY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("CLIENTOCRACY_REQUIRE_POSTGRES") == "1"

# Parametrize a fixture with this to run its tests against both stores.
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@cache
def postgres_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why its tests cannot run here (asked once per session)."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.split("?")[0], connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # any failure to reach it is a reason to skip
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({error.__class__.__name__}: {error})"
    return None


def require_postgres() -> None:
    reason = postgres_reason()
    if reason is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"CLIENTOCRACY_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def postgres_store() -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema, dropped afterwards (skips when PostgreSQL is unreachable)."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        drop_schema(schema)


@contextmanager
def memory_store() -> Iterator[str]:
    """A named in-memory store (every ``Ledger.open`` of the URL in this process sees it), discarded afterwards."""
    from domain.stores.memory import discard_named_store

    name = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield f"memory://{name}"
    finally:
        discard_named_store(name)


@contextmanager
def store_of(kind: str, folder: Path) -> Iterator[str]:
    """A new, empty store of this kind (``memory``; ``sqlite``: a file in ``folder``; ``postgres``: a schema of
    its own): its URL, and everything it held dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'ledger.db'}"
        return
    with memory_store() if kind == "memory" else postgres_store() as url:
        yield url


def module_store(kind: str, folder: Path) -> Iterator[str]:
    """``store_of`` for a module-scoped fixture's ``yield from``."""
    with store_of(kind, folder) as url:
        yield url
