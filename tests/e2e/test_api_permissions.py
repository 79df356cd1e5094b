"""docs/brief.md §5's permission table, row by row, through a real server on SQLite and on PostgreSQL:
the people a row allows get 200, everyone else 403 naming the rule of that row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.company_server import company_server
from tests.support.permissions import PAST, PEOPLE, ROWS, SETUP, Make
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # a real server


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("permissions")
    for store in module_store(request.param, folder):
        lines = [{k: v for k, v in {**line, "at": line.get("at", PAST)}.items() if v is not None} for line in SETUP]
        with company_server(store, folder, lines, PEOPLE) as world:
            yield world


@pytest.mark.parametrize(("row", "make", "allowed", "refused"), ROWS,
                         ids=[f"{i:02d}-{r[0]}" for i, r in enumerate(ROWS)])
def test_permission_row(served: dict[str, Any], row: str, make: Make, allowed: list[str], refused: list[str]) -> None:
    server, tokens = served["server"], served["tokens"]
    for person in refused:
        with server.client(tokens[person]) as http:
            answer = http.post("/api/commands", json={k: v for k, v in make(person).items() if v is not None})
        assert answer.status_code == 403, (person, answer.text)
        assert answer.json()["rule"].startswith(f"{row}: "), answer.json()
        assert person in answer.json()["error"]
    for person in allowed:
        with server.client(tokens[person]) as http:
            answer = http.post("/api/commands", json={k: v for k, v in make(person).items() if v is not None})
        assert answer.status_code == 200, (person, answer.text)
        assert answer.json()["status"] == "accepted"
