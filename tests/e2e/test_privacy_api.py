"""Personal data through the HTTP API: sealed on the way in, forgotten by the council, gone from a live server."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.person import Person
from domain.personal_data import FORGOTTEN
from domain.service.ledger import Ledger
from tests.support.cli import import_lines, issue
from tests.support.clock import ago
from tests.support.privacy import store_bytes
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # a real server

AT = "2026-01-02T09:00:00Z"
MARKERS = ("JXW-client-name", "JXW-feedback-text", "JXW-dave-name", "jxw.dave@example.com")


def web_page(base_url: str, token: str, path: str) -> str:
    """A workspace page as a signed-in person sees it (the /login form, then the page)."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as browser:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
        assert csrf
        browser.post("/login", data={"token": token, "csrf_token": csrf.group(1), "next": "/"})
        page = browser.get(path)
        assert page.status_code == 200, page.text[:500]
        return html.unescape(page.text)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from module_store(request.param, tmp_path)


def test_the_council_forgets_through_the_api_and_the_live_server_drops_the_text(store: str, tmp_path: Path) -> None:
    import_lines(store, (
        Scenario(at=AT).person("carol", id="p1").council("carol", id="p2")
        .person("dave", MARKERS[2], id="p3", email=MARKERS[3]).team("ops", id="t").client("victim", MARKERS[0], id="c")
    ).lines())
    carol, dave = issue(store, "carol")["token"], issue(store, "dave")["token"]
    views = tmp_path / "server-views.duckdb"
    server = ServerProcess(store, views, tmp_path / "server.log")
    try:
        with server.client(carol) as api, server.client(dave) as as_dave:
            posted = api.post("/api/feedback", json={
                "feedback_id": "f1", "client": "victim", "kind": "complaint", "channel": "app",
                "text": MARKERS[1], "team": "ops", "occurred_at": ago(days=1)})
            assert posted.status_code == 202, posted.text
            assert api.get("/api/teams/ops").json()["open_complaints"][0]["text"] == MARKERS[1]
            assert not [m for m in MARKERS if m.encode() in store_bytes(store)], "plaintext in the store"

            refused = as_dave.post("/api/forget", json={"kind": "client", "key": "victim", "reason": "r"})
            assert refused.status_code == 403 and refused.json()["rule"] == "council"
            assert api.post("/api/forget", json={"kind": "client", "key": "ghost", "reason": "r"}).status_code == 404
            assert api.post("/api/forget", json={"kind": "planet", "key": "x", "reason": "r"}).status_code == 422

            page = web_page(server.url, carol, "/teams/ops")
            assert MARKERS[1] in page

            done = api.post("/api/forget", json={"kind": "client", "key": "victim", "reason": "ticket A-1"})
            assert done.status_code == 200 and done.json()["key_destroyed"] is True, done.text
            assert api.get("/api/teams/ops").json()["open_complaints"][0]["text"] == FORGOTTEN
            page = web_page(server.url, carol, "/teams/ops")
            assert MARKERS[1] not in page and FORGOTTEN in page
            on_disk = b"".join(p.read_bytes() for p in (views, Path(f"{views}.wal")) if p.exists())
            assert MARKERS[0].encode() not in on_disk and MARKERS[1].encode() not in on_disk

            assert api.post("/api/forget", json={"kind": "person", "key": "dave", "reason": "left"}).status_code == 200
            audit = api.get("/api/audit").json()["events"]
            forgotten = [e for e in audit if e["event"] == "SubjectForgotten"]
            assert [(e["key"], e["actor"], e["reason"]) for e in forgotten] == [
                ("client:victim", "carol", "ticket A-1"), ("person:dave", "carol", "left")], audit
            assert not [m for m in MARKERS if m in api.get("/api/audit").text]
    finally:
        server.stop()
    ledger = Ledger.open(store)
    try:
        person = ledger.state(Person, "dave")
        assert person is not None and (person.name, person.email) == (FORGOTTEN, FORGOTTEN)
        assert ledger.verify().ok
    finally:
        ledger.close()
