"""Concurrency and scale-out through real servers: eight people countering one promise at once, and two
servers sharing one PostgreSQL store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from domain.commands import parse_command
from domain.service.ledger import Ledger
from domain.service.tokens import issue_token
from tests.support.cli import cli
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # real servers

KITCHEN = [f"cook{i}" for i in range(4)]
REPS = [f"rep{i}" for i in range(4)]


def _company() -> Scenario:
    """The council, a kitchen of four cooks, a client with four representatives, and one proposed promise."""
    scenario = Scenario()
    for person in ["carol", *KITCHEN, *REPS]:
        scenario.person(person, person)
    scenario.council("carol").team("kitchen")
    for person in KITCHEN:
        scenario.member(person, "cook")
    scenario.client("diner")
    for person in REPS:
        scenario.represent(person)
    return scenario.metric("wait").promise("fast", "Fast", 10, actor="cook0")


SETUP = _company().lines()


def seed(store: str) -> dict[str, str]:
    ledger = Ledger.open(store)
    try:
        lines = [{**line, "at": "2026-01-05T09:00:00Z"} for line in SETUP]
        assert not ledger.execute([parse_command(json.dumps(line)) for line in lines]).rejected
        return {p: issue_token(ledger, p).token for p in ["carol", *KITCHEN, *REPS]}
    finally:
        ledger.close()


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("scale")
    for store in module_store(request.param, folder):
        tokens = seed(store)
        server = ServerProcess(store, folder / "views.duckdb", folder / "server.log")
        try:
            yield {"server": server, "store": store, "tokens": tokens, "folder": folder, "kind": request.param}
        finally:
            server.stop()


def test_eight_clients_on_one_promise_lose_nothing(served: dict[str, Any]) -> None:
    server, tokens = served["server"], served["tokens"]
    rounds = 5
    answers: list[tuple[float, int, str]] = []
    start = threading.Barrier(len(KITCHEN + REPS))

    def client(number: int, person: str) -> None:
        with server.client(tokens[person]) as http:
            start.wait()
            for i in range(rounds):
                target = 100 + number * rounds + i
                reply = http.post("/api/commands", json={"type": "CounterPropose", "promise": "fast",
                                                         "changes": {"target": target}})
                answers.append((target, reply.status_code, reply.text))

    threads = [threading.Thread(target=client, args=(n, p)) for n, p in enumerate(KITCHEN + REPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status == 200 for _, status, _ in answers), [a for a in answers if a[1] != 200]
    with server.client(tokens["carol"]) as http:
        view = http.get("/api/promises/fast").json()
    history = view["history"]
    assert [h["version"] for h in history] == list(range(1, 2 + len(answers)))  # one history, no gaps
    countered = sorted(h["changes"]["target"] for h in history[1:])
    assert countered == sorted(target for target, _, _ in answers)  # no lost update
    assert view["target"] == history[-1]["changes"]["target"] and view["version"] == len(history)
    assert {h["actor"] for h in history[1:]} == set(KITCHEN + REPS)
    assert json.loads(cli("verify", "--json", store=served["store"]).stdout)["ok"] is True


def test_two_servers_on_one_postgres_store(served: dict[str, Any]) -> None:
    if served["kind"] != "postgres":
        pytest.skip("scale-out shares a PostgreSQL store")
    first, tokens = served["server"], served["tokens"]
    second = ServerProcess(served["store"], served["folder"] / "views-b.duckdb", served["folder"] / "server-b.log")
    try:
        for warm in (first, second):  # a serving server has run queries before; a fresh one compiles them now
            with warm.client(tokens["carol"]) as http:
                for _ in range(3):
                    assert http.get("/api/teams/kitchen").status_code == 200
        for writer, reader, team in ((first, second, "via-a"), (second, first, "via-b")):
            with writer.client(tokens["carol"]) as http:
                formed = http.post("/api/commands", json={"type": "FormTeam", "team": team, "name": team})
                assert formed.status_code == 200
            accepted = time.monotonic()
            with reader.client(tokens["carol"]) as http:
                while http.get(f"/api/teams/{team}").status_code != 200:
                    time.sleep(0.02)
            assert time.monotonic() - accepted <= 1.0
        # and a server's background catch-up alone (no read in between) follows the other's writes
        with first.client(tokens["carol"]) as http:
            assert http.post("/api/commands", json={"type": "FormTeam", "team": "bg", "name": "bg"}).status_code == 200
            written = http.get("/api/audit?team=bg").json()["events"][0]["position"]
        deadline = time.monotonic() + 1.0
        with second.client() as http:
            while http.get("/api/health").json()["views_position"] < written:
                assert time.monotonic() < deadline
                time.sleep(0.02)
    finally:
        second.stop()
