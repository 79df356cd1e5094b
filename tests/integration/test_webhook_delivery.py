"""Delivery of signals to webhook endpoints, against real HTTP receivers on loopback that verify every request with
the ``standardwebhooks`` library: once per signal and endpoint, filters, retries, 410, timeouts, backlog, Slack."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from domain.service.stopping import Stop
from domain.stores.common import opened_recorder
from domain.stores.port import LedgerStore
from domain.stores.webhook_tables import webhooks_in
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.endpoints import add_endpoint
from notifications.webhooks.listing import deliveries
from notifications.webhooks.messages import delivery_id
from notifications.webhooks.policy import DeliveryPolicy
from notifications.webhooks.reading import signals_from
from notifications.webhooks.running import DeliveryLoop
from projections.signals.model import Signal
from tests.support.webhook_receiver import Receiver, always, first_then, parsed, receiver

FAST = DeliveryPolicy(timeout=0.5, backoff=0.1, evaluate_every=0.2)


@pytest.fixture(autouse=True)
def _private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


def signal(key: str, *, ago: timedelta = timedelta(0), kind: str = "negotiation_waiting",
           team: str = "ops") -> Signal:
    raised = datetime.now(UTC).replace(tzinfo=None) - ago
    return Signal(kind, "promise", key, "", team, "acme", raised, {"days": 2}, f"/promises/{key}")


class World:
    """A store, a delivery loop reading signals the test sets, and receivers' endpoints."""

    def __init__(self, store: LedgerStore, policy: DeliveryPolicy = FAST) -> None:
        self.store = store
        self.signals: list[Signal] = []
        con = duckdb.connect()

        @contextmanager
        def reading() -> Iterator[duckdb.DuckDBPyConnection]:
            yield con

        self.loop = DeliveryLoop(store, signals_from(reading, [lambda con, as_of: list(self.signals)]),
                                 lambda: False, public_url="https://ledger.example", policy=policy)

    def add(self, got: Receiver, **filters: object) -> str:
        endpoint, secret = add_endpoint(self.store, got.url, **filters)  # type: ignore[arg-type]
        got.secret = secret
        return endpoint.id

    def again(self) -> None:
        """One round of both threads' work: judge the signals, then send what is due."""
        self.loop.wake.set()
        self.loop.step()
        self.loop.dispatch()

    def run_until(self, done: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            self.again()
            time.sleep(0.02)
        assert done(), "delivery did not finish in time"


@pytest.fixture
def world(any_store_url: str) -> Iterator[World]:
    with opened_recorder(any_store_url) as store:
        made = World(store)
        yield made
        made.loop.deliverer.close(grace=0)


def test_each_new_signal_reaches_each_matching_endpoint_once_signed(world: World) -> None:
    with receiver() as everything, receiver() as ops_only, receiver() as other_kind:
        endpoint = world.add(everything)
        world.add(ops_only, team="ops")
        world.add(other_kind, kinds=["promise_missed"])
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [signal("p1"), signal("p2", team="sales")]
        world.run_until(lambda: len(everything.received) == 2 and len(ops_only.received) == 1)
        for _ in range(5):  # evaluated again and again: nothing is sent twice
            world.again()
            time.sleep(0.05)
        assert len(everything.received) == 2 and len(ops_only.received) == 1 and other_kind.received == []
        got = {parsed(r)["data"]["subject"]["key"]: r for r in everything.received}
        body = parsed(got["p1"])
        assert body["type"] == "signal.raised" and body["data"]["id"] == signal("p1").id
        assert body["data"]["url"] == "https://ledger.example/promises/p1" and body["timestamp"].endswith("Z")
        assert got["p1"].webhook_id == delivery_id(endpoint, signal("p1").id)
        assert parsed(ops_only.received[0])["data"]["subject"]["key"] == "p1"
        states = {d["webhook_id"]: d for d in deliveries(world.store, 10)}
        assert states[got["p1"].webhook_id]["state"] == "delivered"
        assert [a["status"] for a in states[got["p1"].webhook_id]["attempts"]] == [200]


def test_a_failed_attempt_is_retried_with_the_same_id_and_every_attempt_is_kept(world: World) -> None:
    with receiver(first_then(500)) as flaky:
        world.add(flaky)
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [signal("p1")]
        world.run_until(lambda: len(flaky.received) == 2)
        assert flaky.received[0].webhook_id == flaky.received[1].webhook_id
        assert flaky.received[0].body == flaky.received[1].body  # the same bytes, verified both times
        world.run_until(lambda: deliveries(world.store, 1)[0]["state"] == "delivered")
        (listed,) = deliveries(world.store, 10)
        assert [(a["status"], a["outcome"]) for a in listed["attempts"]] == [(500, "http_error"), (200, "ok")]
        assert all(a["duration_ms"] is not None for a in listed["attempts"])


def test_410_disables_the_endpoint(world: World, caplog: pytest.LogCaptureFixture) -> None:
    with receiver(always(410)) as gone:
        gone.url += "/secret-path"  # a URL's path can be its bearer secret (Slack's): never logged
        endpoint = world.add(gone)
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [signal("p1")]
        world.run_until(lambda: webhooks_in(world.store).endpoints()[0].state == "disabled")
        world.signals = [signal("p1"), signal("p2")]
        for _ in range(5):
            world.again()
            time.sleep(0.05)
        assert len(gone.received) == 1
        (row,) = webhooks_in(world.store).endpoints()
        assert row.id == endpoint and "410" in (row.reason or "")
        assert endpoint in caplog.text and "secret-path" not in caplog.text
        assert deliveries(world.store, 10)[-1]["state"] == "failed"


def test_an_endpoint_that_never_answers_times_out_without_delaying_the_others(world: World) -> None:
    with receiver(always(None)) as silent, receiver() as healthy:
        world.add(silent)
        world.add(healthy)
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [signal(f"p{i}") for i in range(6)]
        started = time.monotonic()
        world.run_until(lambda: len(healthy.received) == 6)
        assert time.monotonic() - started < FAST.timeout * 2
        world.run_until(lambda: any(a["outcome"] == "timeout" for d in deliveries(world.store, 20)
                                    for a in d["attempts"]))
        timed_out = [a for d in deliveries(world.store, 20) for a in d["attempts"] if a["outcome"] == "timeout"]
        assert all(400 <= a["duration_ms"] < 2000 and a["status"] is None for a in timed_out)


def test_a_new_endpoint_skips_the_backlog_and_signals_older_than_seven_days(world: World) -> None:
    with receiver() as late:
        already = signal("already")
        time.sleep(0.01)
        world.add(late)
        world.signals = [already, signal("stale", ago=timedelta(days=8))]
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [*world.signals, signal("new")]
        world.run_until(lambda: len(late.received) == 1)
        time.sleep(0.2)
        world.again()
        assert [parsed(r)["data"]["subject"]["key"] for r in late.received] == ["new"]


def test_slack_format_sends_a_text_body(world: World) -> None:
    with receiver() as slack:
        world.add(slack, format="slack")
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [signal("p1")]
        world.run_until(lambda: len(slack.received) == 1)
        text = parsed(slack.received[0])["text"]
        assert text.startswith("[warning] negotiation_waiting: promise p1 (team ops, client acme)")
        assert "<https://ledger.example/promises/p1|open>" in text


def test_a_stop_records_the_attempt_in_flight_as_interrupted_and_due_again(world: World) -> None:
    with receiver(first_then(None)) as hanging:
        world.add(hanging)
        world.run_until(lambda: all(e.primed for e in webhooks_in(world.store).endpoints()))
        world.signals = [signal("p1")]
        world.run_until(lambda: len(hanging.received) == 1)
        world.loop.deliverer.close(grace=0)
        (listed,) = deliveries(world.store, 10)
        assert listed["state"] == "pending" and [a["outcome"] for a in listed["attempts"]] == ["interrupted"]


def test_the_retry_schedule_meets_the_contract() -> None:
    policy = DeliveryPolicy()
    for _ in range(200):
        delays = [policy.retry_delay(n) for n in range(1, policy.attempts)]
        assert delays[0] <= 60 and sum(delays) >= 3600 and policy.attempts >= 5
        assert delays == sorted(delays)


def test_the_loop_stops_on_the_stop_request(world: World) -> None:
    import threading

    stop = Stop()
    thread = threading.Thread(target=world.loop.run, args=(stop,))
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    stop.close()
