"""The unit tests' one store, a fresh in-memory store per test (a real adapter, not a mock), and the folder's
two rules held, not just written down: a unit test asks for no temporary folder or store on disk (refused at
collection) and starts no process (refused when it tries)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from domain.service.ledger import Ledger

HERE = Path(__file__).resolve().parent
ON_DISK = frozenset({"tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory", "postgres_url"})
"""Fixtures every file or database fixture stands on (a SQLite file, a views file, a PostgreSQL schema)."""


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    app = Ledger.open("memory://")
    yield app
    app.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = ON_DISK & set(getattr(item, "fixturenames", ()))
        if used and HERE in Path(item.path).resolve().parents:
            raise pytest.UsageError(f"{item.nodeid} uses {sorted(used)}: tests/unit opens no file and needs no "
                                    "database; it belongs in tests/integration")


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a process (the CLI, a server, a reader child) fails the unit test that tries."""

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        tried = args[1] if len(args) > 1 else "a fork"
        raise AssertionError(f"tests/unit starts no process (this test tried {tried!r}); "
                             "it belongs in tests/integration or tests/e2e")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    for name in ("fork", "posix_spawn", "posix_spawnp"):
        monkeypatch.setattr(os, name, refuse)
