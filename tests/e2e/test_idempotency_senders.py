"""Idempotency keys belong to their sender (docs/brief.md §10; issue 17, item 4), through the real server, the
real `import` and `ingest file`, on SQLite and PostgreSQL.

An outsider who posts an ``id`` or a ``feedback_id`` first used to make the operator's later import line come
back "already imported" and a client's real complaint "already known": silently lost. Now a line id is its
sender's own, and a key reused for other content is refused where it can be seen (409, a rejected line, an
``id_conflict`` dead letter); the same content again, from anyone, is still a skip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import import_lines, issue, jsonl, run_cli
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # a real server and the CLI

SEED = Scenario().person("carol").council("carol").person("mallory").team("kitchen").lines()
OCCURRED = (datetime.now(UTC) - timedelta(days=1)).isoformat()  # a person's feedback goes back 90 days at most
CONFLICT = "id_conflict: {} was already used for different content; send it under a new key"


def complaint(feedback_id: str, text: str = "Cold soup", **fields: Any) -> dict[str, Any]:
    return {"feedback_id": feedback_id, "client": "diner", "kind": "complaint", "channel": "app", "text": text,
            "rating": 2, "team": "kitchen", "occurred_at": OCCURRED, **fields}


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One server per store kind for the module: each test sends ids and feedback ids of its own."""
    tmp_path = tmp_path_factory.mktemp(f"senders-{request.param}")
    for store_url in module_store(request.param, tmp_path):
        yield from _serve(store_url, tmp_path)


def _serve(store_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    import_lines(store_url, SEED)
    mallory = issue(store_url, "mallory")["token"]
    server = ServerProcess(store_url, tmp_path / "views.duckdb", tmp_path / "server.log")
    try:
        yield {"server": server, "store": store_url, "token": mallory, "folder": tmp_path}
    finally:
        server.stop()


def post(served: dict[str, Any], path: str, body: Any) -> httpx.Response:
    with served["server"].client(served["token"]) as http:
        return http.post(path, json=body)


def import_json(served: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[int, dict[str, Any], str]:
    result = run_cli("import", "-", "--json", store=served["store"], stdin=jsonl(lines))
    return result.returncode, json.loads(result.stdout), result.stderr


def ingest_file(served: dict[str, Any], messages: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Any]]:
    source = served["folder"] / "feedback.jsonl"
    source.write_text(jsonl(messages))
    result = run_cli("ingest", "file", str(source), "--json", store=served["store"])
    assert result.returncode == 0, result.stderr
    letters = served["folder"] / "feedback.dlq.jsonl"
    dead = [json.loads(line) for line in letters.read_text().splitlines()] if letters.exists() else []
    return json.loads(result.stdout), dead


def test_an_outsiders_id_no_longer_swallows_the_operators_line(served: dict[str, Any]) -> None:
    first = post(served, "/api/commands", {"type": "RecordFeedback", "id": "line-7", **complaint("fb-mallory")})
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    code, summary, stderr = import_json(served, [{"type": "FormTeam", "id": "line-7", "team": "bakery",
                                                  "name": "Bakery"}])
    assert (code, summary["accepted"], summary["skipped"]) == (0, 1, 0), stderr  # before: "already imported"
    code, summary, _ = import_json(served, [{"type": "FormTeam", "id": "line-7", "team": "bakery",
                                             "name": "Bakery"}])
    assert (code, summary["accepted"], summary["skipped"]) == (0, 0, 1)  # the operator's own line again


def test_a_key_its_sender_reuses_for_other_content_is_refused_naming_it(served: dict[str, Any]) -> None:
    command = {"type": "RecordFeedback", "id": "line-1", **complaint("fb-1")}
    assert post(served, "/api/commands", command).json()["status"] == "accepted"
    assert post(served, "/api/commands", command).json() == {"status": "skipped", "events": 0}
    changed = post(served, "/api/commands", {**command, "feedback_id": "fb-2"})
    assert (changed.status_code, changed.json()["error"]) == (409, CONFLICT.format("id 'line-1'"))
    batch = post(served, "/api/commands", [{**command, "feedback_id": "fb-2"}, command])
    assert [r["status"] for r in batch.json()["results"]] == ["conflict", "skipped"]
    assert batch.json()["results"][0]["reason"] == CONFLICT.format("id 'line-1'")
    again = post(served, "/api/feedback", complaint("fb-1", rating=9))
    assert (again.status_code, again.json()["error"]) == (409, CONFLICT.format("feedback_id 'fb-1'"))
    assert post(served, "/api/feedback", complaint("fb-1")).json()["status"] == "already_known"
    with served["server"].client() as http:
        document = http.get("/api/openapi.json").json()
    for path in ("/api/commands", "/api/feedback"):
        assert "409" in document["paths"][path]["post"]["responses"]


def test_a_clients_complaint_after_an_outsiders_feedback_id_is_dead_lettered_or_rejected(
    served: dict[str, Any]
) -> None:
    assert post(served, "/api/feedback", complaint("fb-real", "nothing happened")).status_code == 202
    assert post(served, "/api/feedback", complaint("fb-same")).status_code == 202
    summary, letters = ingest_file(served, [complaint("fb-real"), complaint("fb-same"), complaint("fb-new")])
    assert (summary["recorded"], summary["duplicates"], summary["dead_lettered"], summary["id_conflicts"]) == (
        1, 1, 1, 1)  # before: the real complaint came back a duplicate, silently lost
    [letter] = letters
    assert (letter["line"], letter["reason_code"]) == (1, "id_conflict")
    assert letter["reason"] == CONFLICT.format("feedback_id 'fb-real'")
    assert json.loads(letter["raw"]) == complaint("fb-real")  # kept whole, to be sent again under a new key
    code, result, stderr = import_json(served, [
        {"type": "RecordFeedback", "id": "imp-1", **complaint("fb-real")},
        {"type": "RecordFeedback", "id": "imp-2", **complaint("fb-same")},
        {"type": "RecordFeedback", "id": "imp-3", **complaint("fb-operator")},
    ])
    assert (code, result["accepted"], result["skipped"]) == (1, 1, 1)
    assert result["errors"] == [{"line": 1, "reason": "RecordFeedback: " + CONFLICT.format("feedback_id 'fb-real'")}]
    assert "line 1: RecordFeedback: id_conflict: feedback_id 'fb-real'" in stderr
