"""Sending the deliveries that are due, several at once, each endpoint on its own share of the workers.

A delivery is claimed in the database (a lease; on PostgreSQL with ``FOR UPDATE SKIP LOCKED``), so several
processes on one store never send the same one at the same time, and one that dies mid-attempt leaves a lease that
runs out: another claim then records the attempt as interrupted and sends it again, with the same ``webhook-id``.
A stopping process records its attempts still in flight as interrupted and makes them due at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from consumers.webhooks.endpoints import signing_key
from consumers.webhooks.messages import body, signed_headers
from consumers.webhooks.policy import DeliveryPolicy
from consumers.webhooks.sending import post
from domain.stores.webhook_tables import AttemptRow, DeliveryRow, EndpointRow, webhooks_in

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

log = logging.getLogger(__name__)


class Flight:
    """One attempt under way; ``lock`` decides who records its end: the attempt, or a stop that gave up on it."""

    def __init__(self, delivery: DeliveryRow, started: float) -> None:
        self.delivery = delivery
        self.started = started
        self.lock = threading.Lock()
        self.over = False


class Deliverer:
    def __init__(self, store: LedgerStore, policy: DeliveryPolicy,
                 on_progress: Callable[[], None] | None = None) -> None:
        self.store = store
        self.tables = webhooks_in(store)
        self.policy = policy
        self.on_progress = on_progress or (lambda: None)
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="webhook")
        self.flights: dict[str, dict[str, Flight]] = {}
        self.flights_lock = threading.Lock()
        self.keys: dict[str, bytes] = {}

    def in_flight(self) -> int:
        with self.flights_lock:
            return sum(len(f) for f in self.flights.values())

    def dispatch(self, endpoints: list[EndpointRow]) -> int:
        """Claim and start what is due for each active endpoint, up to its free share; how many started."""
        started = 0
        for endpoint in endpoints:
            if endpoint.state != "active":
                continue
            with self.flights_lock:
                free = self.policy.per_endpoint - len(self.flights.get(endpoint.id, {}))
            if free <= 0:
                continue
            now = time.time()
            for delivery in self.tables.claim(endpoint.id, now, now + self.policy.lease, free):
                flight = Flight(delivery, now)
                with self.flights_lock:
                    self.flights.setdefault(endpoint.id, {})[delivery.id] = flight
                self.pool.submit(self._attempt, endpoint, flight)
                started += 1
        return started

    def _key(self, endpoint: EndpointRow) -> bytes:
        if endpoint.id not in self.keys:
            self.keys[endpoint.id] = signing_key(self.store, endpoint)
        return self.keys[endpoint.id]

    def _attempt(self, endpoint: EndpointRow, flight: Flight) -> None:
        delivery = flight.delivery
        try:
            payload = body(delivery.payload, delivery.created_at, endpoint.format)
            headers = signed_headers(self._key(endpoint), delivery.id, int(time.time()), payload)
            answer = post(endpoint.url, headers, payload, self.policy.timeout)
            with flight.lock:
                if flight.over:  # a stop recorded it as interrupted meanwhile
                    return
                flight.over = True
                self._record(endpoint, delivery, flight.started, answer.status, answer.duration, answer.outcome)
        except Exception:
            log.exception("webhook delivery %s to %s failed; it stays due", delivery.id, endpoint.id)
        finally:
            with self.flights_lock:
                self.flights.get(endpoint.id, {}).pop(delivery.id, None)
            self.on_progress()

    def _record(self, endpoint: EndpointRow, delivery: DeliveryRow, started: float, status: int | None,
                duration: float, outcome: str) -> None:
        attempt = AttemptRow(delivery.id, delivery.attempts, started, status, round(duration, 6), outcome)
        if outcome == "ok":
            self.tables.finish(attempt, "delivered", started)
        elif outcome == "gone":  # 410: the receiver asks us to stop for good
            self.tables.finish(attempt, "failed", started)
            self.tables.set_endpoint_state(endpoint.id, "disabled", "the receiver answered 410 Gone")
            log.warning("webhook %s disabled: %s answered 410 Gone", endpoint.id, endpoint.url)
        elif delivery.attempts >= self.policy.attempts:
            self.tables.finish(attempt, "failed", started)
        else:
            self.tables.finish(attempt, "pending", time.time() + self.policy.retry_delay(delivery.attempts))

    def interrupt(self) -> None:
        """Record every attempt still in flight as interrupted, due again at once (a stop is under way)."""
        with self.flights_lock:
            flights = [f for by_endpoint in self.flights.values() for f in by_endpoint.values()]
        now = time.time()
        for flight in flights:
            with flight.lock:
                if flight.over:
                    continue
                flight.over = True
                attempt = AttemptRow(flight.delivery.id, flight.delivery.attempts, flight.started, None,
                                     round(now - flight.started, 6), "interrupted")
                self.tables.finish(attempt, "pending", now)

    def close(self, grace: float = 1.0) -> None:
        """Let attempts finish for up to ``grace`` seconds, then record the rest as interrupted."""
        deadline = time.monotonic() + grace
        while self.in_flight() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.interrupt()
        self.pool.shutdown(wait=False, cancel_futures=True)
