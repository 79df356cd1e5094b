"""Sending the deliveries that are due, several at once, each endpoint on its own share of the workers.

A delivery is claimed in the database (a lease; on PostgreSQL with ``FOR UPDATE SKIP LOCKED``), so several
processes on one store never send the same one at the same time, and one that dies mid-attempt leaves a lease that
runs out: another claim then records the attempt as interrupted and sends it again, with the same ``webhook-id``.
A stopping process records its attempts still in flight as interrupted and makes them due at once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from domain.stores.webhook_tables import AttemptRow, DeliveryRow, Ending, EndpointRow, webhooks_in
from notifications.webhooks.addresses import shown
from notifications.webhooks.endpoints import signing_key
from notifications.webhooks.messages import body, signed_headers
from notifications.webhooks.policy import DeliveryPolicy
from notifications.webhooks.sending import Answer, post

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

log = logging.getLogger(__name__)
WORKERS = 32
"""Attempts in flight at once in one process, all endpoints together (``lookup.MAX_HANGING`` is above it)."""


class Flight:
    """One attempt under way; ``lock`` decides who ends it: the attempt's answer, or a stop that gave up on it."""

    def __init__(self, endpoint: EndpointRow, delivery: DeliveryRow, started: float) -> None:
        self.endpoint = endpoint
        self.delivery = delivery
        self.started = started
        self.lock = threading.Lock()
        self.answer: Answer | None = None


class Deliverer:
    """Attempts run on worker threads; their ends are written by the loop's thread, many in one transaction
    (``record``), as are the claims: a store's commits, not the receivers, would otherwise set the pace."""

    def __init__(self, store: LedgerStore, policy: DeliveryPolicy,
                 on_progress: Callable[[], None] | None = None) -> None:
        self.store = store
        self.tables = webhooks_in(store)
        self.policy = policy
        self.on_progress = on_progress or (lambda: None)
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="webhook")
        self.flights: dict[str, dict[str, Flight]] = {}
        self.flights_lock = threading.Lock()
        self.answered: queue.SimpleQueue[Flight] = queue.SimpleQueue()
        self.keys: dict[str, bytes] = {}

    def in_flight(self) -> int:
        with self.flights_lock:
            return sum(len(f) for f in self.flights.values())

    def dispatch(self, endpoints: list[EndpointRow]) -> int:
        """Record the attempts that ended and claim what is due for each active endpoint, up to its free share, in
        one transaction; then start the claimed attempts. How many started."""
        flights = self._answered()
        gone = {f.endpoint.id for f in flights if f.answer is not None and f.answer.outcome == "gone"}
        active = {e.id: e for e in endpoints if e.state == "active" and e.id not in gone}
        ending = {f.delivery.id for f in flights}
        with self.flights_lock:
            wants = {i: self.policy.per_endpoint - len(self.flights.get(i, {}).keys() - ending) for i in active}
        wants = {i: n for i, n in wants.items() if n > 0}
        if not wants and not flights:
            return 0
        now = time.time()
        with self._given_back_on_failure(flights):
            claimed = self.tables.finish_and_claim([self._ending(f) for f in flights], wants, now,
                                                   now + self.policy.lease)
        self._ended(flights)
        for delivery in claimed:
            flight = Flight(active[delivery.endpoint_id], delivery, now)
            with self.flights_lock:
                self.flights.setdefault(delivery.endpoint_id, {})[delivery.id] = flight
            self.pool.submit(self._attempt, flight)
        return len(claimed)

    def _key(self, endpoint: EndpointRow) -> bytes:
        if endpoint.id not in self.keys:
            self.keys[endpoint.id] = signing_key(self.store, endpoint)
        return self.keys[endpoint.id]

    def _attempt(self, flight: Flight) -> None:
        delivery = flight.delivery
        if time.time() + self.policy.timeout > delivery.lease_until:  # it waited for a worker until its claim
            answer = Answer(None, "interrupted", 0.0)  # could run out mid-attempt: not sent, due again at once
        else:
            answer = self._send(delivery, flight.endpoint)
        with flight.lock:
            if flight.answer is None:  # else a stop ended it meanwhile
                flight.answer = answer
                self.answered.put(flight)
        self.on_progress()

    def _send(self, delivery: DeliveryRow, endpoint: EndpointRow) -> Answer:
        started = time.monotonic()
        try:
            payload = body(delivery.payload, delivery.created_at, endpoint.format)
            headers = signed_headers(self._key(endpoint), delivery.id, int(time.time()), payload)
            return post(endpoint.url, headers, payload, self.policy.timeout)
        except Exception:
            log.exception("webhook delivery %s to %s failed; it is tried again", delivery.id, endpoint.id)
            return Answer(None, "error", time.monotonic() - started)

    def record(self) -> None:
        """Write the ends of the attempts answered since the last call, in one transaction."""
        flights = self._answered()
        if flights:
            with self._given_back_on_failure(flights):
                self.tables.finish([self._ending(f) for f in flights])
            self._ended(flights)

    def _answered(self) -> list[Flight]:
        flights: list[Flight] = []
        while not self.answered.empty():
            flights.append(self.answered.get())
        return flights

    @contextmanager
    def _given_back_on_failure(self, flights: list[Flight]) -> Iterator[None]:
        """Writing their ends failed (the store unreachable): the attempts are answered again, so the next round
        writes them; else they would hold their endpoint's share of the workers until a restart."""
        try:
            yield
        except BaseException:
            for flight in flights:
                self.answered.put(flight)
            raise

    def _ended(self, flights: list[Flight]) -> None:
        """After their ends are written: the attempts leave the flights (first: a failure to disable an endpoint
        must not keep them), and a 410 disables its endpoint."""
        with self.flights_lock:
            for flight in flights:
                self.flights.get(flight.endpoint.id, {}).pop(flight.delivery.id, None)
        for flight in flights:
            if flight.answer is not None and flight.answer.outcome == "gone":  # 410: the receiver asks us to stop
                self.tables.set_endpoint_state(flight.endpoint.id, "disabled", "the receiver answered 410 Gone")
                log.warning("webhook %s disabled: %s answered 410 Gone", flight.endpoint.id,
                            shown(flight.endpoint.url))  # never the path: it can be a secret

    def _ending(self, flight: Flight) -> Ending:
        delivery, answer = flight.delivery, flight.answer
        assert answer is not None
        attempt = AttemptRow(delivery.id, delivery.attempts, flight.started, answer.status,
                             round(answer.duration, 6), answer.outcome)
        if answer.outcome == "ok":
            return Ending(attempt, "delivered", flight.started)
        if answer.outcome == "interrupted":  # no answer either way (a stop, or not sent): never the last attempt
            return Ending(attempt, "pending", time.time())
        if answer.outcome == "gone" or delivery.attempts >= self.policy.attempts:
            return Ending(attempt, "failed", flight.started)
        return Ending(attempt, "pending", time.time() + self.policy.retry_delay(delivery.attempts))

    def interrupt(self) -> None:
        """End every attempt still in flight as interrupted, due again at once (a stop is under way)."""
        with self.flights_lock:
            flights = [f for by_endpoint in self.flights.values() for f in by_endpoint.values()]
        for flight in flights:
            with flight.lock:
                if flight.answer is None:
                    flight.answer = Answer(None, "interrupted", time.time() - flight.started)
                    self.answered.put(flight)
        self.record()

    def close(self, grace: float = 1.0) -> None:
        """Let attempts finish for up to ``grace`` seconds, then record the rest as interrupted."""
        deadline = time.monotonic() + grace
        while self.in_flight() and time.monotonic() < deadline:
            self.record()
            time.sleep(0.02)
        self.interrupt()
        self.pool.shutdown(wait=False, cancel_futures=True)
