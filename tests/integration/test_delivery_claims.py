"""Who may write a delivery's outcome, and when a new endpoint's backlog is set aside: the races a review found.

An attempt whose claim ran out and was taken by another process must not end that process's attempt (nor free
its claim for a third); a new endpoint is never seen primed without its backlog set aside; an attempt, name
resolution included, ends within its time budget, well inside its claim.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.stores.common import opened_recorder
from domain.stores.mail_tables import MailRow, mail_in
from domain.stores.webhook_tables import AttemptRow, DeliveryRow, Ending, WebhookTables, webhooks_in
from notifications.webhooks import sending
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.endpoints import add_endpoint
from notifications.webhooks.evaluating import add_new_deliveries, epoch
from notifications.webhooks.policy import DeliveryPolicy
from projections.signals.model import Signal


@pytest.fixture(autouse=True)
def _private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


def test_a_late_outcome_of_a_lost_claim_is_dropped(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store:
        tables = webhooks_in(store)
        row = DeliveryRow("msg_1", "whe_1", "sig_1", "k", "pending", "{}", 100.0, 100.0, 0.0, 0, None, None)
        tables.add_deliveries([row])
        (slow,) = tables.claim({"whe_1": 1}, 200.0, 260.0)  # process A: its attempt outlives its claim
        (other,) = tables.claim({"whe_1": 1}, 261.0, 321.0)  # process B takes the delivery over
        assert (slow.attempts, other.attempts) == (1, 2)
        tables.finish([Ending(AttemptRow("msg_1", 1, 200.0, 200, 70.0, "ok"), "delivered", 200.0)])
        assert tables.claim({"whe_1": 1}, 262.0, 322.0) == []  # B's claim still holds: no third sender
        (listed, attempts) = tables.deliveries(10)[0]
        assert (listed.state, listed.attempts, listed.lease_until) == ("pending", 2, 321.0)
        assert [a.outcome for a in attempts][-1] == "in_flight"  # B's attempt is not ended by A's answer
        tables.finish([Ending(AttemptRow("msg_1", 2, 261.0, 200, 0.1, "ok"), "delivered", 261.0)])
        (listed, attempts) = tables.deliveries(10)[0]
        assert (listed.state, attempts[-1].outcome) == ("delivered", "ok")


def test_a_late_outcome_of_a_lost_mail_claim_is_dropped(store_url: str) -> None:
    with opened_recorder(store_url) as store:
        table = mail_in(store)
        table.add([MailRow("mail_1", "ann", "sig_1", "pending", "s", "b", 100.0, 100.0, 0.0, 0, None, None)])
        (slow,) = table.claim(200.0, 260.0, 10)
        (other,) = table.claim(261.0, 321.0, 10)
        table.finish(slow, "pending", 230.0, "refused", 262.0)  # A's late failure would make it due again
        assert table.claim(263.0, 330.0, 10) == []  # B's claim holds
        (row,) = table.rows()
        assert (row.state, row.attempts, row.lease_until, row.last_error) == ("pending", 2, 321.0, None)
        table.finish(other, "sent", 0.0, None, 263.0)
        assert table.rows()[0].state == "sent"


def _signal(key: str, raised: datetime) -> Signal:
    return Signal("negotiation_waiting", "promise", key, "", "ops", "acme", raised, {"days": 2}, f"/promises/{key}")


class SeenInTheGap:
    """Process A's tables; right after A primes an endpoint, process B evaluates the same signals."""

    def __init__(self, tables: WebhookTables, other: Any) -> None:
        self.tables = tables
        self.other = other
        self.queued_by_other: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tables, name)

    def prime(self, *args: Any) -> bool:
        primed: bool = self.tables.prime(*args)
        if primed:
            self.queued_by_other = self.other()
        return primed


def test_no_process_sees_a_new_endpoint_primed_before_its_backlog_is_set_aside(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store:
        tables = webhooks_in(store)
        before = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
        backlog = [_signal(f"p{i}", before) for i in range(3)]
        add_endpoint(store, "http://127.0.0.1:9/hook")
        now = time.time()
        news = {s.id: epoch(s.raised_at) for s in backlog}  # they appeared when raised

        def process_b() -> int:
            return add_new_deliveries(tables, tables.endpoints(), backlog, news, now, "", set())

        process_a = SeenInTheGap(tables, process_b)
        assert add_new_deliveries(process_a, tables.endpoints(), backlog, news, now, "",  # type: ignore[arg-type]
                                  set()) == 0
        assert process_a.queued_by_other == 0  # B saw the endpoint primed, with its backlog already skipped
        assert tables.claim({tables.endpoints()[0].id: 10}, now + 1, now + 60) == []


def test_a_slow_name_resolution_counts_in_the_attempts_time(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def slow_resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "slow.example":
            time.sleep(1.5)
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    started = time.monotonic()
    answer = sending.post("http://slow.example/hook", {}, b"{}", timeout=0.3)
    assert answer.outcome == "timeout" and time.monotonic() - started < 1.0


def test_a_claim_outlasts_the_longest_attempt_comfortably() -> None:
    for timeout in (0.5, 10.0, 30.0):
        policy = DeliveryPolicy(timeout=timeout)
        assert policy.lease >= 3 * policy.timeout  # an attempt takes at most one timeout, started with one left


def test_an_attempt_whose_claim_would_run_out_is_not_sent_and_not_counted_as_the_last(any_store_url: str) -> None:
    from notifications.webhooks.deliverer import Deliverer, Flight
    from tests.support.webhook_receiver import receiver

    policy = DeliveryPolicy(timeout=0.5)
    with opened_recorder(any_store_url) as store, receiver() as got:
        tables = webhooks_in(store)
        endpoint, _ = add_endpoint(store, got.url)
        row = DeliveryRow("msg_1", endpoint.id, "sig_1", "k", "pending", "{}", 100.0, 100.0, 0.0,
                          policy.attempts - 1, None, None)
        tables.add_deliveries([row])
        now = time.time()
        (claimed,) = tables.claim({endpoint.id: 1}, now, now + 0.2)  # less than a timeout left: it waited too long
        deliverer = Deliverer(store, policy)
        try:
            deliverer._attempt(Flight(tables.endpoints()[0], claimed, now))
            deliverer.record()
        finally:
            deliverer.close(grace=0)
        (listed, attempts) = tables.deliveries(10)[0]
        assert got.received == [] and listed.state == "pending" and attempts[-1].outcome == "interrupted"
