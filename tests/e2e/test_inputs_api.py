"""The HTTP API keeps the same input and output rules as the CLI: a feedback message that repeats a
key is refused (422), and answers are valid JSON whatever the store holds (null, never NaN)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain import commands as c
from domain.service.ledger import Ledger
from tests.support.cli import import_lines, issue
from tests.support.clock import ago
from tests.support.feedback import feedback
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = pytest.mark.processes  # a real server


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON output")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    import_lines(store, Scenario().person("carol").council("carol").team("kitchen", at="2026-01-01T00:00:00Z").lines())
    ledger = Ledger.open(store)
    try:  # revenues an older store may hold: their sum has no finite value
        assert not ledger.execute([
            c.PostLedgerEntry.model_construct(type="PostLedgerEntry", team="kitchen", period="2026-03",
                                              kind="revenue", amount=1e308, description="")
            for _ in range(2)]).rejected
    finally:
        ledger.close()
    process = ServerProcess(store, tmp_path / "views.duckdb", tmp_path / "server.log")
    try:
        yield process, store
    finally:
        process.stop()


def test_api_answers_are_valid_json_and_repeated_keys_are_refused(server: tuple[ServerProcess, str]) -> None:
    process, store = server
    with process.client(issue(store, "carol", "--scope", "read")["token"]) as reader:
        answer = reader.get("/api/teams/kitchen")
    assert answer.status_code == 200, answer.text
    (march,) = strict_json(answer.text)["economics"]
    assert march["revenue"] is None and march["bonus_pool"] is None
    body = json.dumps(feedback("f-1"))[:-1] + ', "feedback_id": "f-2"}'
    with process.client(issue(store, "carol", "--scope", "ingest")["token"]) as ingester:
        refused = ingester.post("/api/feedback", content=body, headers={"Content-Type": "application/json"})
        assert refused.status_code == 422 and "duplicate key" in refused.text, refused.text
        accepted = ingester.post("/api/feedback", content=json.dumps(feedback("f-3", occurred_at=ago(days=1))),
                                 headers={"Content-Type": "application/json"})
        assert accepted.status_code == 202, accepted.text
