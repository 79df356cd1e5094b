"""A live stream (``GET /api/events``) whose store waits out a lock another session holds (PostgreSQL: an
administrator's schema change; SQLite: a write lock left open). The stream's sign-in checks go on afterwards, so a
sign-out still ends it: one check that waited out the lock used to end the server's watcher for good, and no
stream was ended again, by a sign-out, a revocation or a stop, until a new stream was opened. A replay asked for
(``Last-Event-ID``) that the store is too busy to read is the API's 503 with ``Retry-After``. The views' catch-up
says each wait in one line (it logged a traceback every second or two while the lock was held)."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.service.ledger import Ledger
from tests.support import pg_locks, sqlite_locks
from tests.support.company_server import company_server, record
from tests.support.scenario import Scenario
from tests.support.stores import STORES, store_of
from web.live_views import CLOSE_WAIT
from web.serving import STOP_GRACE_SECONDS

pytestmark = pytest.mark.processes  # a real server on a real SQLite file or PostgreSQL
HELD = 3.5
"""Seconds the lock is held: at least one sign-in check (every 2 s) waits out the 1 s bound meanwhile."""
ENDS_WITHIN = 6.0


@pytest.fixture(params=STORES)
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")  # the server's process inherits them
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "1")
    lines = Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops").lines()
    with store_of(request.param, tmp_path) as store, company_server(store, tmp_path, lines, ["carol"]) as served:
        yield served


def locked(store: str) -> AbstractContextManager[Any]:
    """Another session keeping every read (PostgreSQL) or every write (SQLite: reads never wait) of the events
    waiting until the block ends."""
    if store.startswith("sqlite"):
        return sqlite_locks.write_lock_held(Path(store.removeprefix("sqlite:///")))
    return pg_locks.held(store, f"ALTER TABLE {pg_locks.table(store, 'ledger_events')} ADD COLUMN note text")


def signed_in(browser: httpx.Client, token: str) -> str:
    """Sign ``browser`` in with ``token``; the CSRF token of its session's forms."""
    form = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
    assert form is not None
    assert browser.post("/login", data={"token": token, "csrf_token": form.group(1)}).status_code == 303
    home = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/").text)
    assert home is not None
    return home.group(1)


def reading(response: httpx.Response) -> threading.Event:
    """Read the stream's body in a thread; the event is set when it ends."""
    ended = threading.Event()

    def read() -> None:
        try:
            for _ in response.iter_raw():
                pass
        except httpx.HTTPError:
            pass
        ended.set()

    threading.Thread(target=read, daemon=True).start()
    return ended


def test_a_stream_still_ends_at_its_sign_out_after_the_store_waited_out_a_lock(world: dict[str, Any]) -> None:
    with httpx.Client(base_url=world["server"].url, follow_redirects=False, timeout=30) as browser:
        csrf = signed_in(browser, world["tokens"]["carol"])
        response = browser.send(browser.build_request("GET", "/api/events"), stream=True)
        assert response.status_code == 200
        ended = reading(response)
        with locked(world["store"]):
            time.sleep(HELD)
        assert not ended.is_set(), "a store busy for a while is no reason to end the stream"
        assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert ended.wait(ENDS_WITHIN), f"the stream was still open {ENDS_WITHIN} s after its sign-out"
        response.close()
    log = (world["folder"] / "server.log").read_text()
    assert "views catch-up failed" not in log, log  # a lock waited out is one line (with no traceback)


@pytest.mark.postgres  # a SQLite store's reads never wait for its write lock (WAL)
def test_a_replay_the_store_is_too_busy_to_read_is_refused_for_now(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``Last-Event-ID`` behind the server's views is read before the stream begins: a store that waits out a
    lock meanwhile makes it the API's 503 with ``Retry-After``, not a stream begun 200 and cut off."""
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")
    lines = Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops").lines()
    with company_server(postgres_url, tmp_path, lines, ["carol"], "--poll", "3600") as world, \
            world["server"].client(world["tokens"]["carol"]) as http:
        assert http.get("/api/teams/ops").status_code == 200  # the views are caught up
        ledger = Ledger.open(postgres_url)
        try:  # another process records a client: the views catch up with it at the next read, needing its key
            record(ledger, Scenario(at="2026-01-02T09:00:00Z").client("zebra", name="Zebra Ltd").lines())
            latest = int(ledger.store.max_notification_id() or 0)
        finally:
            ledger.close()
        keys = pg_locks.table(postgres_url, "ledger_events_subject_keys")
        with pg_locks.held(postgres_url, f"ALTER TABLE {keys} ADD COLUMN note text"), \
                http.stream("GET", "/api/events", headers={"Last-Event-ID": "0"}) as refused:
            refused.read()
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1" and "the store is busy" in refused.json()["error"]

        with http.stream("GET", "/api/events", headers={"Last-Event-ID": "0"}) as stream:
            assert stream.status_code == 200
            sent = []
            for line in stream.iter_lines():
                if line.startswith("id: "):
                    sent.append(int(line[4:]))
                    if sent[-1] == latest:
                        break
        assert sent == list(range(1, latest + 1))
    assert "Traceback" not in (tmp_path / "server.log").read_text()


@pytest.mark.postgres  # a SQLite store's sign-in checks only read, and its reads never wait (WAL)
def test_a_stop_ends_the_streams_at_once_while_their_sign_ins_wait_for_a_lock(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop ends every stream at once, also while a sign-in check or the stream's own read waits for a lock (up
    to the whole bound, 30 s by default): the watcher used to see the stop only once its check was over, and a
    stream in its read ended only once the read was; uvicorn cut them off after its grace of 5 s, or later. Which
    of the two waits here depends on when the server last caught up; ``tests/unit/test_stream_ends_while_waiting``
    holds each alone. The process ends too, the lock still held: its views' catch-up, waiting for the lock, held
    it for the lock's whole bound."""
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "20")
    lines = Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops").lines()
    with company_server(postgres_url, tmp_path, lines, ["carol"]) as world, \
            world["server"].client(world["tokens"]["carol"]) as http:
        response = http.send(http.build_request("GET", "/api/events"), stream=True)
        assert response.status_code == 200
        ended = reading(response)
        with locked(postgres_url):
            time.sleep(2 * 2.0 + 0.5)  # a sign-in check (every 2 s) is waiting now
            asked = time.monotonic()
            world["server"].process.send_signal(signal.SIGINT)
            assert ended.wait(STOP_GRACE_SECONDS + 5), "the stream was still open after the stop"
            seconds = time.monotonic() - asked
            # the process too ends while the lock is held (its views' catch-up waits for the lock: 20 s here)
            exit_code = world["server"].process.wait(timeout=STOP_GRACE_SECONDS + CLOSE_WAIT + 5)
            exited = time.monotonic() - asked
        response.close()
    print(f"the stream ended {seconds:.2f} s after the stop, the process {exited:.2f} s after it")
    assert seconds < STOP_GRACE_SECONDS / 2
    assert exit_code == 0
    assert exited < STOP_GRACE_SECONDS + CLOSE_WAIT
