"""A name whose resolver never answers holds nothing up: a webhook attempt to it times out within the attempt's
deadline while the other endpoints are served, however often it is tried it costs one lookup thread, and the mail
thread gives up on such an SMTP server within its timeout (real receivers, a real SMTP server; only the resolver
is stood in for, ``tests.support.hanging_names``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import duckdb
import pytest

from domain.stores.common import opened_recorder
from domain.stores.webhook_tables import webhooks_in
from notifications import lookup
from notifications.email.smtp import SmtpSettings
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.deliverer import WORKERS
from notifications.webhooks.endpoints import add_endpoint
from notifications.webhooks.listing import deliveries
from notifications.webhooks.policy import DeliveryPolicy
from notifications.webhooks.reading import signals_from
from notifications.webhooks.running import DeliveryLoop
from projections.signals.model import Signal
from tests.support.hanging_names import NAME, hanging_name
from tests.support.smtp_server import smtp_server
from tests.support.webhook_receiver import receiver

FAST = DeliveryPolicy(timeout=0.5, backoff=0.1, evaluate_every=0.2)


def lookup_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == f"lookup {NAME}")


def signal(key: str) -> Signal:
    return Signal("negotiation_waiting", "promise", key, "", "ops", "acme", datetime.now(UTC).replace(tzinfo=None),
                  {"days": 2}, f"/promises/{key}")


@contextmanager
def loop_on(store_url: str, signals: list[Signal]) -> Iterator[DeliveryLoop]:
    con = duckdb.connect()

    @contextmanager
    def reading() -> Iterator[duckdb.DuckDBPyConnection]:
        yield con

    with opened_recorder(store_url) as store:
        made = DeliveryLoop(store, signals_from(reading, [lambda con, as_of: list(signals)]), lambda: False,
                            policy=FAST)
        try:
            yield made
        finally:
            made.deliverer.close(grace=0)


def test_a_webhook_whose_name_hangs_costs_one_thread_and_holds_no_other_endpoint_up(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")
    signals: list[Signal] = []
    with hanging_name(monkeypatch) as names, receiver() as healthy, receiver() as behind, \
            loop_on(store_url, signals) as loop:
        store = loop.deliverer.store
        healthy.secret = add_endpoint(store, healthy.url)[1]
        hanging = add_endpoint(store, behind.url.replace("127.0.0.1", NAME))[0]  # it resolves when added
        names.hang()
        deadline = time.monotonic() + 10
        while not all(e.primed for e in webhooks_in(store).endpoints()) and time.monotonic() < deadline:
            loop.wake.set()
            loop.step()
        signals += [signal(f"p{n}") for n in range(12)]  # more than one endpoint's share of attempts at once
        started = time.monotonic()
        while time.monotonic() - started < 3.0:
            loop.wake.set()
            loop.step()
            loop.dispatch()
            assert lookup_threads() <= 1
            time.sleep(0.02)
        assert len({r.webhook_id for r in healthy.received if r.verified}) == 12
        tried = [d for d in deliveries(store, 100) if d["endpoint_id"] == hanging.id]
        outcomes = [a["outcome"] for d in tried for a in d["attempts"] if a["outcome"] != "in_flight"]
        assert len(outcomes) > 12 and set(outcomes) == {"timeout"}  # each was tried, and again
        assert all(a["duration_ms"] < 1000 for d in tried for a in d["attempts"] if a["duration_ms"] is not None)
        assert names.blocked == 1 and behind.received == []  # one lookup hung, shared by every attempt
    deadline = time.monotonic() + 5
    while lookup.running() and time.monotonic() < deadline:  # released: the lookup thread ends
        time.sleep(0.02)
    assert lookup_threads() == 0


def test_an_smtp_server_whose_name_hangs_fails_within_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ledger@example.com", "lena@example.com", "hello"
    message.set_content("a signal")
    with hanging_name(monkeypatch) as names, smtp_server() as box:
        settings = SmtpSettings(NAME, box.port, "ledger@example.com", timeout=0.5)
        assert settings.send([message]) == [None]  # the name resolves: sent to the address it gives
        names.hang()
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(lookup.LookupTimeout, match="did not resolve within"):
                settings.send([message])
            assert time.monotonic() - started < 1.5
        assert names.blocked == 1 and lookup_threads() == 1 and len(box.received) == 1


def test_endpoints_names_hanging_to_their_allowance_never_stop_the_smtp_servers_lookup(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert lookup.MAX_HANGING["webhook"] > WORKERS  # every worker can wait on a hanging name of its own
    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".hangs.example"):
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "the resolver gave up")
        return real("127.0.0.1" if host == "mail.example" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ledger@example.com", "lena@example.com", "hello"
    message.set_content("a signal")
    try:
        with smtp_server() as box:
            for n in range(lookup.MAX_HANGING["webhook"]):
                with pytest.raises(lookup.LookupTimeout, match="did not resolve"):
                    lookup.addresses(f"n{n}.hangs.example", 443, 0.0)
            with pytest.raises(lookup.LookupTimeout, match="webhook name lookups are still running"):
                lookup.addresses("one-more.hangs.example", 443, 0.0)
            assert SmtpSettings("mail.example", box.port, "ledger@example.com", timeout=2.0).send([message]) == [None]
            assert len(box.received) == 1
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while lookup.running() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert lookup.running() == 0
