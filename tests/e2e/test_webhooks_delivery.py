"""Webhooks end to end with real processes: `notify` and `serve` deliver a real signal (a client-voice shift raised
by imported complaints) to receivers that verify it with ``standardwebhooks``; two `notify --follow` on one
PostgreSQL store deliver each signal to each endpoint once; kill -9 of `notify` mid-delivery loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from domain.stores.common import opened_recorder
from domain.stores.webhook_tables import webhooks_in
from tests.support.cli import CLI, cli, import_lines, run_cli
from tests.support.server import ServerProcess
from tests.support.webhook_receiver import Receiver, first_then, parsed, receiver
from tests.support.webhook_signals import history, rise

pytestmark = pytest.mark.processes
FAST = {"CLIENTOCRACY_ALLOW_PRIVATE_WEBHOOKS": "1", "CLIENTOCRACY_WEBHOOK_TIMEOUT": "2",
        "CLIENTOCRACY_WEBHOOK_BACKOFF": "0.5"}


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)


def add(store: str, got: Receiver, *extra: str) -> dict[str, Any]:
    added: dict[str, Any] = json.loads(cli("webhook", "add", got.url, "--json", *extra, store=store).stdout)
    got.secret = added["secret"]
    return added


def deliveries(store: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(cli("webhook", "deliveries", "--json", store=store).stdout)["items"]
    return items


def until(done: Any, what: str, timeout: float = 60.0) -> None:
    """Poll ``done()`` until it holds (a delivery's progress in another process), else fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.1)


def primed(store: str) -> bool:
    """Whether the delivery took its first look at every endpoint: a signal raised after it is news, one raised
    before it the backlog, set aside (so a test's new signal must come after it, whatever the machine's load)."""
    with opened_recorder(store) as recorder:
        rows = webhooks_in(recorder).endpoints()
    return bool(rows) and all(row.primed for row in rows)


@contextmanager
def following(store: str, views: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, "notify", "--follow", "--store", store, "--views", str(views)],
                                   stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


def test_notify_delivers_a_real_signal_once_verified_with_standardwebhooks(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    views = tmp_path / "views.duckdb"
    with receiver() as got:
        added = add(store, got, "--kinds", "client_voice_shift")
        import_lines(store, history("shop"))
        cli("notify", "--views", str(views), store=store)  # the endpoint's first look: nothing new yet
        import_lines(store, rise("shop"))
        cli("notify", "--views", str(views), "--public-url", "https://ledger.example", store=store)
        assert len(got.received) == 2
        bodies = sorted((parsed(r) for r in got.received), key=lambda b: b["data"]["subject"]["type"])
        assert [b["data"]["subject"] for b in bodies] == [{"type": "client", "key": "shop"},
                                                         {"type": "team", "key": "delivery"}]
        assert bodies[0]["data"]["url"] == "https://ledger.example/clients/shop"
        assert all(b["type"] == "signal.raised" and b["data"]["kind"] == "client_voice_shift" for b in bodies)
        cli("notify", "--views", str(views), store=store)
        assert len(got.received) == 2  # nothing twice
        listed = deliveries(store)
        assert {d["webhook_id"] for d in listed} == set(got.ids())
        assert all(d["state"] == "delivered" and d["endpoint_id"] == added["id"] for d in listed)


def test_two_notify_processes_on_one_postgresql_store_deliver_each_signal_once(postgres_url: str,
                                                                              tmp_path: Path) -> None:
    with receiver() as first, receiver() as second:
        add(postgres_url, first)
        add(postgres_url, second)
        import_lines(postgres_url, [line for c in ("a", "b", "c") for line in history(c, team=f"t-{c}")])
        with following(postgres_url, tmp_path / "v1.duckdb", tmp_path / "n1.log"), \
                following(postgres_url, tmp_path / "v2.duckdb", tmp_path / "n2.log"):
            until(lambda: primed(postgres_url), "the endpoints' first look")
            import_lines(postgres_url, [line for c in ("a", "b", "c") for line in rise(c, team=f"t-{c}")])
            first.wait_for(6)
            second.wait_for(6)
            time.sleep(2)  # would a second copy come?
        for got in (first, second):
            assert len(got.received) == 6 and all(r.verified for r in got.received)
            assert Counter(got.ids()).most_common(1)[0][1] == 1
        assert len({r.webhook_id for r in first.received} & {r.webhook_id for r in second.received}) == 0


def test_kill_9_mid_delivery_loses_nothing_and_keeps_the_webhook_id(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    with receiver(first_then(None)) as got:
        add(store, got, "--team", "delivery")  # both signals (the client's is seen by the team)
        import_lines(store, history("shop"))
        cli("notify", "--views", str(tmp_path / "v.duckdb"), store=store)
        import_lines(store, rise("shop"))
        with following(store, tmp_path / "v.duckdb", tmp_path / "n1.log") as notify:
            got.wait_for(2)  # the receiver holds the first request: that attempt is in flight; the other is answered
            until(lambda: [d["state"] for d in deliveries(store)].count("delivered") == 1, "the answer recorded")
            notify.kill()
            notify.wait(timeout=10)
        held = got.received[0].webhook_id
        with following(store, tmp_path / "v.duckdb", tmp_path / "n2.log"):
            got.wait_for(3, timeout=30)
        assert len(got.received) == 3 and Counter(got.ids())[held] == 2 and got.received[2].webhook_id == held
        listed = {d["webhook_id"]: d for d in deliveries(store)}
        assert listed[held]["state"] == "delivered"
        assert [a["outcome"] for a in listed[held]["attempts"]] == ["interrupted", "ok"]


def test_serve_delivers_as_soon_as_an_event_raises_a_signal(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    with receiver() as got:
        add(store, got)
        import_lines(store, history("shop"))
        server = ServerProcess(store, tmp_path / "views.duckdb", tmp_path / "serve.log")
        try:
            until(lambda: primed(store), "the endpoint's first look")
            import_lines(store, rise("shop"))
            raised = time.time()  # the import's process has recorded the events and ended
            got.wait_for(2)
            assert len(got.received) == 2 and all(r.verified for r in got.received)
            assert max(r.at for r in got.received) - raised < 5, max(r.at for r in got.received) - raised
        finally:
            server.stop()


def test_notify_refuses_to_send_to_a_private_address_without_the_setting(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    with receiver() as got:
        add(store, got)
        import_lines(store, history("shop"))
        cli("notify", "--views", str(tmp_path / "v.duckdb"), store=store)
        import_lines(store, rise("shop"))
        monkeypatch.delenv("CLIENTOCRACY_ALLOW_PRIVATE_WEBHOOKS")
        run_cli("notify", "--views", str(tmp_path / "v.duckdb"), store=store, check=True)
        assert got.received == []
        assert {a["outcome"] for d in deliveries(store) for a in d["attempts"]} == {"refused"}
