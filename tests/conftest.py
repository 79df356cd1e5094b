"""The shared fixtures: stores (in memory, a SQLite file, a PostgreSQL schema of its own), a real views file, the
session's Kafka broker, a running server over the test company and chromium. What they are made of lives
in ``tests.support``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import side_table_locks
from tests.support.browser import Served, chromium, serving
from tests.support.kafka import session_broker
from tests.support.markers import apply_markers, refuse_unmarked_processes
from tests.support.stores import STORES, postgres_store, store_of
from tests.support.web_company import LINES, TOKENS

PACKAGES = ("domain", "projections", "consumers", "notifications", "scripts", "web", "bench")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the project once. With ``PYTHONDONTWRITEBYTECODE`` set (as on this project's machines) nothing
    caches what an import compiles, and each of the suite's thousand CLI processes would compile every module it
    imports again: 50-100 ms of CPU per start. Reading the compiled files is not affected by that setting. They are
    checked against their source's hash, not its modification time (whole seconds, and the size): an edit of the
    same size within the same second would otherwise run the old code."""
    import compileall
    import py_compile

    root = Path(__file__).resolve().parent.parent
    for package in PACKAGES:
        compileall.compile_dir(root / package, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        apply_markers(item)


@pytest.fixture(autouse=True)
def _processes_are_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_unmarked_processes(request.node, monkeypatch)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_store() as url:
        yield url


@pytest.fixture
def bounded_store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The store of ``store_url`` open, its writes waiting ``side_table_locks.BOUND`` seconds at most for a lock."""
    with side_table_locks.bounded_store(store_url, monkeypatch, side_table_locks.BOUND) as opened:
        yield opened


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test against both stores a file or another process can reach."""
    with store_of(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=["memory", *STORES])
def any_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store-behaviour test (receipts, tracking, chain, keys) against all three adapters, in memory too."""
    with store_of(request.param, tmp_path) as url:
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


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HOST:PORT of a live broker for the whole test session."""
    with session_broker(tmp_path_factory.mktemp("tansu") / "broker.log") as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The test company (``web_company``) on a running server, on SQLite and then on PostgreSQL, shared by
    the browser test modules (each test uses its own keys, or counts relative to what it found)."""
    with serving(request.param, tmp_path_factory.mktemp(f"web-{request.param}"), LINES, TOKENS) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright, one per test session."""
    with chromium() as launched:
        yield launched
