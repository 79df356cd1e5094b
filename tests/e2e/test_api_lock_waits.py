"""A request that needs a lock another PostgreSQL session holds (an administrator's open transaction, a stuck
process) is refused after ``CLIENTOCRACY_PG_LOCK_TIMEOUT`` seconds as a temporary refusal, 503 with
``Retry-After`` and the usual error body (a page for a browser), with nothing written; the same request succeeds
once the lock is released. It used to be an internal error (500), and a read waited out the bound ten times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.company_server import company_server, post_command
from tests.support.pg_locks import count, held, table
from tests.support.scenario import Scenario

pytestmark = [pytest.mark.processes, pytest.mark.postgres]  # a real server on the real PostgreSQL
TEAM = {"type": "FormTeam", "team": "sales", "name": "Sales"}


@pytest.fixture()
def world(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")  # the server's process inherits it
    lines = Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops").lines()
    with company_server(postgres_url, tmp_path, lines, ["carol"]) as served:
        yield served


def altering(url: str) -> str:
    """An administrator's schema change on the events table, in a transaction left open: ACCESS EXCLUSIVE."""
    return f"ALTER TABLE {table(url, 'ledger_events')} ADD COLUMN note text"


def assert_busy(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "1"
    assert "the store is busy" in answer.json()["error"]


def test_a_command_behind_a_held_events_table_is_refused_for_now_and_writes_nothing(world: dict[str, Any]) -> None:
    store = world["store"]
    events, chain = count(store, "ledger_events"), count(store, "ledger_events_chain")
    with held(store, f"LOCK TABLE {table(store, 'ledger_events')} IN EXCLUSIVE MODE"):
        answer = post_command(world, "carol", TEAM)
    assert_busy(answer)
    assert "nothing was recorded" in answer.json()["error"]
    assert (count(store, "ledger_events"), count(store, "ledger_events_chain")) == (events, chain)

    again = post_command(world, "carol", TEAM)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "accepted" and count(store, "ledger_events") > events


def test_a_read_behind_a_schema_change_is_refused_for_now(world: dict[str, Any]) -> None:
    with world["server"].client(world["tokens"]["carol"]) as http:
        with held(world["store"], altering(world["store"])):
            assert_busy(http.get("/api/teams/ops"))
        assert http.get("/api/teams/ops").status_code == 200


def test_a_page_behind_a_schema_change_is_an_error_page_to_try_again(world: dict[str, Any]) -> None:
    with world["server"].client() as browser:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
        assert csrf is not None
        browser.post("/login", data={"token": world["tokens"]["carol"], "csrf_token": csrf.group(1), "next": "/"})
        with held(world["store"], altering(world["store"])):
            page = browser.get("/teams/ops", headers={"Accept": "text/html"})
        assert page.status_code == 503 and page.headers["retry-after"] == "1"
        assert page.headers["content-type"].startswith("text/html")
        assert "Error 503" in page.text and "The store is busy" in page.text
        assert browser.get("/teams/ops", headers={"Accept": "text/html"}).status_code == 200


def test_a_forget_whose_event_cannot_be_recorded_says_the_key_is_gone(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key goes first: behind a held events table the forget is 503 saying the key is destroyed and to post
    it again (not "nothing was recorded"); the server's views no longer show the client's name; posting it again
    records it."""
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")
    lines = (Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops")
             .client("zebra", name="QZXV-NAME-victim").lines())
    forget = {"kind": "client", "key": "zebra", "reason": "ticket T-4"}
    with company_server(postgres_url, tmp_path, lines, ["carol"]) as world, \
            world["server"].client(world["tokens"]["carol"]) as http:
        assert "QZXV-NAME-victim" in http.get("/api/clients/zebra").text
        store = world["store"]
        with held(store, f"LOCK TABLE {table(store, 'ledger_events')} IN EXCLUSIVE MODE"):
            answer = http.post("/api/forget", json=forget)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "1"
        assert "is destroyed" in answer.json()["error"] and "post the same forget again" in answer.json()["error"]
        assert "QZXV-NAME-victim" not in http.get("/api/clients/zebra").text
        assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 0

        again = http.post("/api/forget", json=forget)
        assert again.status_code == 200, again.text
        assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 1
