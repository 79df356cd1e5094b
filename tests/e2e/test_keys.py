"""docs/brief.md §10 "Keys" (issue 17, item 14): new keys are NFKC letters, digits and ``-_.:``; a look-alike of
an existing key of its kind is refused naming it; ids lose invisible characters; old keys stay valid."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from domain import commands as c
from domain.service.ledger import Ledger
from tests.support.cli import import_lines, issue, run_cli
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # a real server, the CLI

SEED = Scenario().person("carol").council("carol").client("households").team("kitchen").lines()


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str, str]]:
    """One server per store kind for the module: its tests only refuse keys or add ones no other test uses."""
    tmp_path = tmp_path_factory.mktemp(f"keys-{request.param}")
    for store_url in module_store(request.param, tmp_path):
        yield from _serve(store_url, tmp_path)


def _serve(store_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, str, str]]:
    import_lines(store_url, SEED)
    ledger = Ledger.open(store_url)
    try:  # keys stored before the rule: a space, a zero-width space
        assert not ledger.execute([
            c.FormTeam.model_construct(type="FormTeam", team=team, name="Old", id=None, at=None, actor=None,
                                       reason=None) for team in ("old team", "legacy\u200b")]).rejected
    finally:
        ledger.close()
    server = ServerProcess(store_url, tmp_path / "views.duckdb", tmp_path / "server.log")
    try:
        yield server, store_url, issue(store_url, "carol")["token"]
    finally:
        server.stop()


def post(server: ServerProcess, token: str, body: Any) -> Any:
    with server.client(token) as http:
        return http.post("/api/commands", json=body)


FEEDBACK = {"type": "RecordFeedback", "feedback_id": "fb-invisible", "client": "households", "kind": "complaint",
            "channel": "app", "text": "Late", "occurred_at": datetime.now(UTC).isoformat()}
REFUSED = [
    ({"type": "IdentifyClient", "client": "households\u200b", "name": "H", "kind": "external"}, "U+200B"),
    ({"type": "IdentifyClient", "client": "house\u202eholds", "name": "H", "kind": "external"}, "U+202E"),
    ({"type": "FormTeam", "team": "two words", "name": "T"}, "U+0020"),
    ({"type": "FormTeam", "team": "slash/team", "name": "T"}, "'/'"),
    ({"type": "IdentifyClient", "client": "Households", "name": "H", "kind": "external"}, "'households'"),
    ({"type": "IdentifyClient", "client": "h\u043euseh\u043elds", "name": "H", "kind": "external"}, "'households'"),
    ({"type": "FormTeam", "team": "KITCHEN", "name": "T"}, "'kitchen'"),
    ({"type": "FormTeam", "team": "kitc\u04bben", "name": "T"}, "'kitchen'"),  # Cyrillic shha for h
    ({"type": "FormTeam", "team": "Old-team", "id": "x\u2066y", "name": "T"}, "U+2066"),
    ({"type": "FormTeam", "team": "legacy", "name": "T"}, "'legacy\\u200b'"),  # an old key, invisible and all
    # a feedback may name a client nobody identified: never one that reads like another
    ({**FEEDBACK, "client": "households\u200b"}, "U+200B"),
    ({**FEEDBACK, "channel": "app\u202e"}, "U+202E"),
    ({**FEEDBACK, "team": "kitchen\u200b"}, "U+200B"),
]


def test_new_keys_that_are_invisible_or_look_alike_are_refused(served: tuple[ServerProcess, str, str]) -> None:
    server, _, token = served
    for command, fragment in REFUSED:
        answer = post(server, token, command)
        assert answer.status_code == 422, (command, answer.text)
        assert fragment in answer.json()["error"], (command, answer.text)


def test_keys_are_nfkc_and_old_keys_stay_valid_and_exact(served: tuple[ServerProcess, str, str]) -> None:
    server, _, token = served
    assert post(server, token, {"type": "FormTeam", "team": "\uff30\uff2c\uff21\uff2e\uff34", "name": "P"}
                ).status_code == 200  # full-width PLANT
    batch = post(server, token, [{"type": "FormTeam", "team": "ops.north", "name": "O"},
                                 {"type": "FormTeam", "team": "OPS.NORTH", "name": "O"},
                                 {"type": "AddMember", "team": "old team", "person": "carol", "role": "cook"},
                                 {"type": "FormTeam", "team": "Legacy", "name": "L"}])
    results = batch.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted", "rejected"], results
    assert "'ops.north'" in results[1]["reason"] and "'legacy\\u200b'" in results[3]["reason"], results
    with server.client(token) as http:
        assert http.get("/api/teams/PLANT").status_code == 200
        assert http.get(f"/api/teams/{quote('old team')}").json()["members"]
        assert http.get("/api/teams/Kitchen").status_code == 404  # lookups are exact


def test_the_import_refuses_a_look_alike_by_line(store_url: str) -> None:
    import_lines(store_url, SEED)
    lines = [{"type": "FormTeam", "team": "k1tchen-2", "name": "K"},
             {"type": "FormTeam", "team": "Kitchen", "name": "K"}]
    result = run_cli("import", "-", store=store_url, stdin="".join(json.dumps(line) + "\n" for line in lines))
    assert result.returncode == 1
    assert "line 2" in result.stderr and "'kitchen'" in result.stderr, result.stderr


def test_two_writers_creating_look_alikes_at_once_leave_one(store_url: str) -> None:
    """Each writer has its own index of keys: the skeleton's receipt makes them race, not both win."""
    import_lines(store_url, SEED)
    ledgers = [Ledger.open(store_url) for _ in range(4)]
    spellings = ["race", "RACE", "Race", "rAce"]
    barrier = threading.Barrier(len(ledgers))
    outcomes: list[Any] = []

    def create(ledger: Ledger, team: str) -> None:
        barrier.wait()
        outcomes.append(ledger.execute([c.FormTeam(type="FormTeam", team=team, name="R")]))

    try:
        threads = [threading.Thread(target=create, args=pair) for pair in zip(ledgers, spellings, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for ledger in ledgers:
            ledger.close()
    assert sorted(len(outcome.accepted) for outcome in outcomes) == [0, 0, 0, 1], outcomes


def test_a_member_never_registered_follows_the_rule_for_new_keys(served: tuple[ServerProcess, str, str]) -> None:
    """AddMember may name a person the operator never registered: that is a new key too (a lead adding
    "c\\u200barol" beside carol would show two carols)."""
    server, _, token = served
    batch = post(server, token, [
        {"type": "AddMember", "team": "kitchen", "person": "c\u200barol", "role": "cook"},
        {"type": "AddMember", "team": "kitchen", "person": "CAROL", "role": "cook"},
        {"type": "AddMember", "team": "kitchen", "person": "carol", "role": "cook"},
        {"type": "AddMember", "team": "kitchen", "person": "new-cook", "role": "cook"},
    ]).json()["results"]
    assert [r["status"] for r in batch] == ["rejected", "rejected", "accepted", "accepted"], batch
    assert "U+200B" in batch[0]["reason"] and "'carol'" in batch[1]["reason"], batch
