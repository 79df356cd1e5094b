"""Module-scoped stores for the API tests: one real server per store per module, not per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import POSTGRES_URL, _drop_schema, require_postgres

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def module_store(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'ledger.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{POSTGRES_URL}?schema={schema}"
    _drop_schema(schema)
