"""The results upload's racing path, made to happen: a form sent twice at once whose second submission checked
the one-time key before the first had recorded its rows (``sent_before`` answered no), so its rows all come back
skipped by their idempotency keys (``submit_all`` recorded none). It must say the form was sent already and record
nothing new, on SQLite and PostgreSQL, in-process so that the check can be made to miss."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.service.ledger import Ledger
from scripts.import_file import import_lines
from tests.support.browser import issue_tokens
from tests.support.cli import jsonl
from tests.support.ledger import observations
from tests.support.stores import STORES, store_of
from tests.support.web_company import LINES, TOKENS
from web.app import create_app
from web.server_workspace import ServerWorkspace
from web.settings import ServerSettings

SENT_ALREADY = "This form was sent already and its file recorded then; nothing new was recorded now."
FILE = b"arm,value\n" + b"".join(f"{'control' if n % 2 else 'treatment'},{80 + n}\n".encode() for n in range(10))
PATH = "/experiments/exp-race"


@pytest.fixture(params=STORES)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    with store_of(request.param, tmp_path) as store:
        ledger = Ledger.open(store)
        try:
            assert import_lines(ledger, jsonl(LINES).splitlines()).errors == []
        finally:
            ledger.close()
        token = issue_tokens(store, TOKENS)["lena"]
        with TestClient(create_app(ServerSettings(store, tmp_path / "views.duckdb")),
                        base_url="https://testserver") as client:
            for command in ({"type": "ProposeExperiment", "experiment": "exp-race", "team": "delivery",
                             "hypothesis": "h", "metric": "ready-pct", "design": "ab"},
                            {"type": "StartExperiment", "experiment": "exp-race"}):
                answer = client.post("/api/commands", json=command, headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 200, answer.text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert csrf, "no CSRF token on /login"
            client.post("/login", data={"token": token, "csrf_token": csrf.group(1), "next": "/"})
            yield client, store


def _stored(store: str) -> int:
    ledger = Ledger.open(store)
    try:
        return len(observations(ledger, "exp-race"))
    finally:
        ledger.close()


def test_a_submission_whose_rows_were_all_recorded_by_a_racing_one_says_so(
        served: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch) -> None:
    client, store = served
    html = client.get(PATH).text
    form = html[html.index('id="upload-results"'):]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[:form.index("</form>")]))
    files: dict[str, Any] = {"file": ("results.csv", FILE, "text/csv")}
    first = client.post(f"{PATH}/results", data=fields, files=files, follow_redirects=False)
    assert first.status_code == 303 and _stored(store) == 10, first.text[-2000:]
    recorded: list[int] = []
    submit_all = ServerWorkspace.submit_all

    def counted(self: ServerWorkspace, viewer: Any, commands: list[dict[str, Any]]) -> int:
        recorded.append(submit_all(self, viewer, commands))
        return recorded[-1]

    monkeypatch.setattr(ServerWorkspace, "sent_before", lambda self, viewer, command_id: False)  # checked too early
    monkeypatch.setattr(ServerWorkspace, "submit_all", counted)
    again = client.post(f"{PATH}/results", data=fields, files=files, follow_redirects=False)
    assert recorded == [0], recorded  # the racing path: every row skipped, none refused
    assert again.status_code == 200 and SENT_ALREADY in again.text, again.text[-3000:]
    assert _stored(store) == 10
