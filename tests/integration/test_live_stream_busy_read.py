"""A live stream (``GET /api/events``) that has begun, whose read of the store waits out a lock another PostgreSQL
session holds, ends cleanly: a comment saying why and ``retry:`` as long as the store waited (an ``EventSource``
reconnects then, from the last ``id`` it saw). It used to be cut off mid-answer, with a traceback in the server's
log. In-process, so that the lock is taken at the one moment that makes it happen: the server's views have moved
on, and the stream has not yet read what is new. (A SQLite store's reads never wait for its write lock.)"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.service.ledger import Ledger
from domain.service.tokens import issue_token
from tests.support.company_server import record
from tests.support.pg_locks import table
from tests.support.scenario import Scenario
from web.app import create_app
from web.live_views import FRESH_FOR
from web.settings import ServerSettings

pytestmark = pytest.mark.postgres


def test_a_begun_stream_whose_store_is_busy_ends_saying_when_to_reconnect(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")
    ledger = Ledger.open(postgres_url)
    try:
        record(ledger, Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").lines())
        bearer = {"Authorization": f"Bearer {issue_token(ledger, 'carol').token}"}
    finally:
        ledger.close()
    app = create_app(ServerSettings(postgres_url, tmp_path / "views.duckdb"))
    answers: list[Any] = []
    with TestClient(app) as client, psycopg.connect(postgres_url.split("?")[0]) as other:
        server = app.state.server
        before = server.views.fresh(max_age=0)  # the views of the company: what is new after it is the post's

        def lock_then_tell(position: int) -> None:  # the catch-up's thread, before the streams hear of ``position``
            if position > before and not answers:
                other.execute(f"ALTER TABLE {table(postgres_url, 'ledger_events')} ADD COLUMN note text")
                answers.append("locked")
                time.sleep(FRESH_FOR * 5)  # the store's position the catch-up read is too old to reuse

        def listen() -> None:
            try:
                answers.append(client.get("/api/events", headers=bearer))
            except Exception as error:  # what the server raised (the test client re-raises it)
                answers.append(error)

        server.views.listeners.insert(0, lock_then_tell)
        listening = threading.Thread(target=listen, daemon=True)
        listening.start()
        while not any(stream.started for stream in list(server.streams.open)):
            time.sleep(0.01)
        with caplog.at_level(logging.WARNING):
            posted = client.post("/api/commands", json={"type": "FormTeam", "team": "sales", "name": "Sales"},
                                 headers=bearer)
            assert posted.status_code == 200, posted.text
            listening.join(30)
        other.rollback()
    assert answers[0] == "locked" and len(answers) == 2, answers
    answer = answers[1]
    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 200
    assert answer.text.startswith(": positions follow\n\n")
    assert answer.text.endswith(
        ": the store is busy: another session held a lock this request needed for 1 s; try again later\n"
        "retry: 1000\n\n"), answer.text
    assert any(r.name == "web.errors" and "GET /api/events: PostgreSQL: waited 1 s" in r.getMessage()
               for r in caplog.records)
