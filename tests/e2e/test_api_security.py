"""Tokens, scopes and the edges of the API, against a real server process (SQLite store)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import cli, import_lines, issue
from tests.support.clock import ago
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = pytest.mark.processes  # a real server

SEED = Scenario().person("carol").council("carol").person("ivan").team("kitchen").member("ivan", "cook").lines()
FEEDBACK = {"feedback_id": "fb-1", "client": "diner", "kind": "complaint", "channel": "app", "text": "Cold soup",
            "rating": 2, "team": "kitchen", "occurred_at": ago(days=1)}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("security")
    store = f"sqlite:///{folder / 'ledger.db'}"
    import_lines(store, SEED)
    tokens = {
        "write": issue(store, "carol"),
        "read": issue(store, "carol", "--scope", "read"),
        "ingest": issue(store, "ivan", "--scope", "ingest"),
        "revoked": issue(store, "carol"),
        "expiring": issue(store, "carol", "--expires", "0.00002"),  # about 1.7 s
    }
    server = ServerProcess(store, folder / "views.duckdb", folder / "server.log")
    try:
        yield {"server": server, "store": store, "tokens": tokens, "folder": folder}
    finally:
        server.stop()


def call(served: dict[str, Any], method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    with served["server"].client(token) as http:
        return http.request(method, path, **kwargs)


def tok(served: dict[str, Any], name: str) -> str:
    return served["tokens"][name]["token"]  # type: ignore[no-any-return]


def test_health_needs_no_token_and_openapi_is_served(served: dict[str, Any]) -> None:
    assert call(served, "GET", "/api/health").json()["status"] == "ok"
    document = call(served, "GET", "/api/openapi.json").json()
    assert {"/api/commands", "/api/feedback", "/api/audit", "/api/events"} <= set(document["paths"])
    assert "Command" in document["components"]["schemas"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer clo_0000000000000000_" + "A" * 43},
                                     {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}])
def test_no_or_wrong_token_is_401(served: dict[str, Any], headers: dict[str, str]) -> None:
    answer = call(served, "GET", "/api/teams/kitchen", headers=headers)
    assert answer.status_code == 401 and answer.json()["error"].startswith("authentication required")


def test_a_token_with_a_valid_id_but_another_secret_is_refused(served: dict[str, Any]) -> None:
    real = tok(served, "write")
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    assert call(served, "GET", "/api/teams/kitchen", forged).status_code == 401


def test_revocation_and_expiry_count_at_once(served: dict[str, Any]) -> None:
    revoked = served["tokens"]["revoked"]
    assert call(served, "GET", "/api/teams/kitchen", revoked["token"]).status_code == 200
    cli("token", "revoke", revoked["token_id"], store=served["store"])
    assert call(served, "GET", "/api/teams/kitchen", revoked["token"]).json()["error"].endswith("token revoked")
    expiring = served["tokens"]["expiring"]
    deadline = time.time() + 10
    while call(served, "GET", "/api/teams/kitchen", expiring["token"]).status_code == 200:
        assert time.time() < deadline
        time.sleep(0.3)
    assert call(served, "GET", "/api/teams/kitchen", expiring["token"]).json()["error"].endswith("token expired")


def test_read_token_reads_but_never_writes(served: dict[str, Any]) -> None:
    token = tok(served, "read")
    assert call(served, "GET", "/api/teams/kitchen", token).status_code == 200
    answer = call(served, "POST", "/api/commands", token, json={"type": "FormTeam", "team": "x", "name": "X"})
    assert answer.status_code == 403 and answer.json()["rule"].startswith("scope:")
    assert call(served, "POST", "/api/feedback", token, json=FEEDBACK).status_code == 403


def test_ingest_token_only_posts_feedback(served: dict[str, Any]) -> None:
    token = tok(served, "ingest")
    proposal = {"type": "DefineMetric", "metric": "m", "name": "M", "unit": "u", "direction": "higher_is_better"}
    answer = call(served, "POST", "/api/commands", token, json=proposal)
    assert answer.status_code == 403 and answer.json()["rule"] == "scope: an ingest token may only post feedback"
    assert call(served, "GET", "/api/teams/kitchen", token).status_code == 403
    first = call(served, "POST", "/api/feedback", token, json=FEEDBACK)
    again = call(served, "POST", "/api/feedback", token, json=FEEDBACK)
    assert (first.status_code, first.json()["status"]) == (202, "recorded")
    assert (again.status_code, again.json()["status"]) == (202, "already_known")
    bad = call(served, "POST", "/api/feedback", token, json={**FEEDBACK, "rating": 11})
    assert bad.status_code == 422 and "rating" in bad.json()["error"]
    team = call(served, "GET", "/api/teams/kitchen", tok(served, "write")).json()
    assert [c["feedback_id"] for c in team["open_complaints"]] == ["fb-1"]
    audit = call(served, "GET", "/api/audit?actor=ivan", tok(served, "write")).json()["events"]
    assert [(e["event"], e["channel"], e["key"]) for e in audit] == [("Recorded", "api", "fb-1")]


def test_actor_in_the_body_is_rejected(served: dict[str, Any]) -> None:
    answer = call(served, "POST", "/api/commands", tok(served, "write"),
                  json={"type": "FormTeam", "team": "y", "name": "Y", "actor": "someone-else"})
    assert answer.status_code == 422 and "actor" in answer.json()["error"]
    batch = call(served, "POST", "/api/commands", tok(served, "write"),
                 json=[{"type": "FormTeam", "team": "y", "name": "Y", "actor": "x"},
                       {"type": "FormTeam", "team": "y", "name": "Y"}])
    assert [r["status"] for r in batch.json()["results"]] == ["rejected", "accepted"]


def test_oversized_bodies_are_413(served: dict[str, Any]) -> None:
    big = b'{"type": "FormTeam", "team": "z", "name": "' + b"x" * (1 << 20) + b'"}'
    answer = call(served, "POST", "/api/commands", tok(served, "write"), content=big)
    assert answer.status_code == 413 and "error" in answer.json()

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        for _ in range(20):
            yield b" " * 65536

    streamed = call(served, "POST", "/api/commands", tok(served, "write"), content=chunks())
    assert streamed.status_code == 413


def test_a_page_may_take_a_file_of_1_mib_with_its_envelope_and_the_api_may_not(served: dict[str, Any]) -> None:
    from web.results_csv import MAX_BYTES, UPLOAD_BODY

    def upload(path: str, size: int) -> httpx.Response:
        return call(served, "POST", path, tok(served, "write"), files={"file": ("r.csv", b"x" * size)})

    assert upload("/experiments/e/results", MAX_BYTES + 1).status_code == 303  # on to the page: sign in first
    assert upload("/experiments/e/results", UPLOAD_BODY).status_code == 413
    assert upload("/api/commands", MAX_BYTES).status_code == 413


@pytest.mark.parametrize(("path", "status"), [("/api/promises/nope", 404), ("/api/teams/kitchen?as_of=yesterday", 422),
                                              ("/api/retro?team=nope&from=2026-01-01&to=2026-02-01", 404),
                                              ("/api/nothing-here", 404)])
def test_clear_json_errors(served: dict[str, Any], path: str, status: int) -> None:
    answer = call(served, "GET", path, tok(served, "write"))
    assert answer.status_code == status and isinstance(answer.json()["error"], str)


def test_bad_json_bodies_are_422(served: dict[str, Any]) -> None:
    for body in (b"{", b'{"type": "FormTeam", "type": "FormTeam"}', b"42", b'{"type": "Nope"}'):
        answer = call(served, "POST", "/api/commands", tok(served, "write"), content=body)
        assert answer.status_code == 422, body


def test_server_sent_events_announce_new_positions(served: dict[str, Any]) -> None:
    token = tok(served, "write")
    with served["server"].client(token) as http, http.stream("GET", "/api/events") as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert next(lines).startswith(":")
        answer = call(served, "POST", "/api/commands", token, json={"type": "FormTeam", "team": "sse", "name": "S"})
        assert answer.status_code == 200
        position = call(served, "GET", "/api/audit?team=sse", token).json()["events"][0]["position"]
        seen = []
        for line in lines:
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["position"])
                if seen[-1] >= position:
                    break
        assert seen[-1] == position


def _bytes_of(path: Path) -> bytes:
    """A file's bytes; a journal or WAL file the running server removed meanwhile holds nothing."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def test_raw_tokens_are_stored_nowhere(served: dict[str, Any]) -> None:
    folder: Path = served["folder"]
    call(served, "GET", "/api/teams/kitchen", tok(served, "write"))
    files = [p for p in folder.iterdir() if p.is_file()]
    assert any(p.name.startswith("ledger.db") for p in files) and any(p.name.startswith("views") for p in files)
    for name, issued in served["tokens"].items():
        secret = issued["token"].encode()
        for path in files:
            assert secret not in _bytes_of(path), (name, path)
        random_part = secret.split(b"_", 2)[2]  # clo_<id>_<urlsafe base64>, which may itself hold "_"
        assert random_part not in (folder / "server.log").read_bytes()


def test_token_issue_warns_about_an_unregistered_person(served: dict[str, Any]) -> None:
    made = cli("token", "issue", "nobody-yet", "--json", store=served["store"])
    assert "not a registered person" in made.stderr
    issued = json.loads(made.stdout)
    assert set(issued) == {"token_id", "token", "person", "scope", "expires_at"} and issued["person"] == "nobody-yet"
    answer = call(served, "POST", "/api/commands", issued["token"], json={"type": "FormTeam", "team": "n", "name": "N"})
    assert answer.status_code == 403  # a token, but the person may do nothing the table does not allow


def test_server_sent_events_resume_after_last_event_id(served: dict[str, Any]) -> None:
    token = tok(served, "write")
    call(served, "GET", "/api/teams/kitchen", token)  # a read catches the views up with the store
    latest = call(served, "GET", "/api/health").json()["views_position"]
    assert latest > 3
    with served["server"].client(token) as http, \
            http.stream("GET", "/api/events", headers={"Last-Event-ID": str(latest - 3)}) as stream:
        seen = []
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["position"])
                if len(seen) == 3:
                    break
    assert seen == [latest - 2, latest - 1, latest]
