"""Hypothesis throws arbitrary bodies at POST /api/commands (in process, for speed): never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.commands import COMMAND_TYPES, parse_command
from domain.service.ledger import Ledger
from domain.service.tokens import issue_token
from tests.support.scenario import Scenario
from web.app import create_app
from web.settings import ServerSettings

SEED = (Scenario().person("carol").council("carol").team("kitchen").member("carol", "chef", lead=True)
        .metric("wait").client("diner").lines())
FIELDS = ["team", "person", "name", "client", "promise", "promisor", "promisee", "metric", "target", "value",
          "at", "changes", "requires", "lead", "role", "period", "statement", "reason", "id", "feedback_id",
          "kind", "text", "occurred_at", "rating", "experiment", "arm", "authority", "description", "actor",
          "scores", "rules", "amount", "direction", "unit", "design", "hypothesis", "decision", "learning"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(["kitchen", "carol", "diner", "wait", "week", "2026-03-01T00:00:00Z", "2026-13-45", "", "\x00"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(FIELDS), inner, max_size=3), max_leaves=8)
command_like = st.fixed_dictionaries(
    {"type": st.sampled_from([*COMMAND_TYPES, "Nope", ""])},
    optional={field: values for field in FIELDS},
)
bodies = st.one_of(command_like, st.lists(command_like, max_size=4), values)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    store = f"sqlite:///{folder / 'ledger.db'}"
    ledger = Ledger.open(store)
    ledger.execute([parse_command(json.dumps(line)) for line in SEED])
    token = issue_token(ledger, "carol").token
    ledger.close()
    with TestClient(create_app(ServerSettings(store, folder / "views.duckdb"))) as http:
        yield http, token


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(body=bodies)
def test_post_commands_never_fails_with_500(client: tuple[TestClient, str], body: Any) -> None:
    http, token = client
    answer = http.post("/api/commands", content=json.dumps(body), headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (200, 403, 422), answer.text
    payload = answer.json()
    if answer.status_code == 200 and isinstance(body, list):
        assert [r["index"] for r in payload["results"]] == list(range(len(body)))
        assert {r["status"] for r in payload["results"]} <= {"accepted", "skipped", "rejected", "forbidden"}
    elif answer.status_code != 200:
        assert isinstance(payload["error"], str) and payload["error"]
