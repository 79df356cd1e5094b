"""The unit tests' one store: a fresh in-memory store per test (a real adapter, not a mock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.service.ledger import Ledger


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    app = Ledger.open("memory://")
    yield app
    app.close()
