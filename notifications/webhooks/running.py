"""The delivery loop that ``notify`` and ``serve`` run: evaluate the signals on new events and at least every
``evaluate_every`` seconds (signals raised by time alone), add the deliveries they call for, send what is due.

A store that cannot be reached only pauses the loop (logged, tried again with a growing wait): the deliveries are
rows of the store, so nothing is lost, and what fell due meanwhile is sent once it answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import duckdb

from domain.service.stopping import Stop
from domain.stores.appearance_tables import appearances_in
from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.port import LedgerStore
from notifications.webhooks.appearing import Appearances
from notifications.webhooks.deliverer import Deliverer
from notifications.webhooks.evaluating import add_new_deliveries
from notifications.webhooks.policy import DeliveryPolicy
from projections.signals.model import Signal
from projections.views_file import ViewsEnded

if TYPE_CHECKING:
    from notifications.email.mailer import Mailer

log = logging.getLogger(__name__)
DISPATCH_EVERY = 1.0
"""Seconds between looks for retries that fell due (new deliveries and freed workers wake the loop at once)."""
TICK = 0.05
CLEAN_EVERY = 3600.0
"""Seconds between two deletions of the deliveries that ended longer ago than ``DeliveryPolicy.keep``."""
SENDER_WAIT = 5.0
"""Seconds a stop waits for the sender (``run``); then the deliverer's and the mailer's grace, 1 s each."""
STOP_WAIT = SENDER_WAIT + 3.0
"""Seconds an owner waits for ``run`` to return after the stop (``web.notifier``)."""
ENDED_BY_A_STOP = (ViewsEnded, duckdb.Error, RuntimeError)
"""What work fails with when a stop closed what it used: the views (ended, a closed DuckDB connection) or the
attempts' thread pool (``RuntimeError``: no new attempt after its shutdown)."""
EVALUATION_GAP = 0.25
"""Seconds at least between two evaluations: under a stream of events the signals are judged a few times a second,
not once per catch-up (the events of the gap are all in the next one)."""


class DeliveryLoop:
    """Two threads: one judges the signals and adds deliveries (``step``), the other sends what is due
    (``dispatch``), so a slow evaluation never holds up the sending, nor a busy sender the judging."""

    def __init__(self, store: LedgerStore, signals: Callable[[float], Sequence[Signal]],
                 views_moved: Callable[[], bool], *, public_url: str = "",
                 policy: DeliveryPolicy | None = None, mail: Mailer | None = None) -> None:
        """``signals(now)``: every signal as of ``now`` (epoch seconds) the operator sees, cleared ones too;
        ``views_moved()``: bring the views up to date, True when they changed since the last call;
        ``mail``: e-mail the same signals too (``notifications.email``)."""
        self.policy = policy or DeliveryPolicy.from_environment()
        self.wake = threading.Event()
        """Set on new events (the server's views) or a new endpoint: judge the signals now."""
        self.send = threading.Event()
        """Set when deliveries were added or an attempt ended: dispatch now."""
        self.deliverer = Deliverer(store, self.policy, on_progress=self.send.set)
        self.tables = self.deliverer.tables
        self.signals = signals
        self.views_moved = views_moved
        self.public_url = public_url
        self.mail = mail
        self.appearances = Appearances(appearances_in(store)) if mail is None else mail.appearances
        """When each signal appeared, shared with the e-mail: both count their 7 days from it."""
        if mail is not None:
            mail.on_progress = self.send.set
        self.mail_ended = True
        """False once ``close`` left an e-mail outcome's write waiting for another process's lock."""
        self.known: set[str] = set()
        self.evaluated = float("-inf")
        self.looked = float("-inf")
        self.cleaned = float("-inf")
        self.unjudged = False
        """Events arrived that no evaluation has seen yet."""
        self.sender: threading.Thread | None = None

    def step(self) -> int:
        """Judge the signals if events came, an endpoint is new or it is time; how many deliveries it added."""
        now = time.monotonic()
        woken = self.wake.is_set()
        self.wake.clear()
        self.unjudged = self.views_moved() or self.unjudged
        moved = self.unjudged and now - self.evaluated >= EVALUATION_GAP
        if not (moved or woken or now - self.looked >= DISPATCH_EVERY):
            return 0
        self.looked = now
        endpoints = self.tables.endpoints()
        if not any(e.state == "active" for e in endpoints) and self.mail is None:
            self.unjudged = False  # nothing to deliver to: the signals are not even evaluated
            return 0
        new_endpoint = any(e.state == "active" and not e.primed for e in endpoints)
        if not (moved or new_endpoint or now - self.evaluated >= self.policy.evaluate_every):
            return 0
        self.evaluated, self.unjudged = now, False
        wall = time.time()
        signals = self.signals(wall)
        news = self.appearances.news(signals, wall)
        added = add_new_deliveries(self.tables, endpoints, signals, news, wall, self.public_url, self.known)
        if self.mail is not None:
            self.mail.evaluate(signals, news)
        self.send.set()
        return added

    def dispatch(self) -> int:
        """Record the attempts that ended and start what is due (webhooks, e-mail); how many attempts it started."""
        self.send.clear()
        self.clean()
        started = self.deliverer.dispatch(self.tables.endpoints())
        return started + (self.mail.dispatch() if self.mail is not None else 0)

    def clean(self) -> int:
        """At start and every ``CLEAN_EVERY`` seconds: delete the deliveries (webhooks, e-mail) that ended longer
        ago than the policy keeps them; how many."""
        now = time.monotonic()
        if now - self.cleaned < CLEAN_EVERY:
            return 0
        self.cleaned = now
        before = time.time() - self.policy.keep
        gone = self.tables.forget_done(before) + (self.mail.table.forget_done(before) if self.mail else 0)
        self.appearances.forget(time.time())
        if gone:
            log.info("deleted %d deliveries that ended more than %.0f days ago", gone, self.policy.keep / 86400)
        return gone

    def run(self, stop: Stop) -> None:
        """Until ``stop``: the in-flight attempts are then given a moment, and the rest recorded as interrupted.
        The sender may still be waiting for the store's lock when this returns (``ended``)."""
        self.sender = threading.Thread(target=self._keep_sending, args=(stop,), name="webhook-sender", daemon=True)
        self.sender.start()
        try:
            self._keep(stop, self.step, self.wake)
        finally:
            self.send.set()  # the sender sees the stop now, not at its next idle look
            self.sender.join(timeout=SENDER_WAIT)
            self.close()

    def ended(self) -> bool:
        """Whether the sender thread ended (``run``) and no e-mail outcome is being written: until then, its owner
        must not close the store, which a write waiting for another process's lock is still using."""
        return (self.sender is None or not self.sender.is_alive()) and self.mail_ended

    def close(self) -> None:
        self.deliverer.close()
        if self.mail is not None:
            self.mail_ended = self.mail.close()

    def _keep_sending(self, stop: Stop) -> None:
        self._keep(stop, self.dispatch, self.send, DISPATCH_EVERY)

    def _keep(self, stop: Stop, work: Callable[[], int], event: threading.Event, idle: float = TICK) -> None:
        """``work`` again and again until ``stop``, waiting on ``event`` up to ``idle`` seconds between two; a
        failure (the store or the views) pauses it with a growing wait, logged with its traceback, but a lock wait
        that ran out (another process's open transaction: nothing is wrong here) in one line."""
        pause = 1.0
        while not stop.is_set():
            try:
                work()
                pause = 1.0
            except LockWaitTimeout as error:  # another process holds the store's lock: its one line says it all
                log.warning("webhook delivery paused (trying again in %.0f s): %s", pause, error)
                stop.wait(pause)
                pause = min(pause * 2, 30.0)
            except Exception as error:
                if stop.is_set() and isinstance(error, ENDED_BY_A_STOP):  # the stop's doing, not a fault
                    log.info("webhook delivery ended by the stop mid-work: %s", error)
                    return
                log.exception("webhook delivery paused; trying again in %.0f s", pause)
                stop.wait(pause)
                pause = min(pause * 2, 30.0)
            event.wait(idle)  # ``step`` and ``dispatch`` clear their own events as they begin

    def until_idle(self, stop: Stop) -> None:
        """Send what is due now, then return once nothing more is due and nothing is in flight (``notify``)."""
        try:
            self.wake.set()
            self.step()
            while not stop.is_set():
                if not self.dispatch() and not self.deliverer.in_flight() and not (self.mail and self.mail.in_flight()):
                    return
                self.send.wait(TICK)
        finally:
            self.close()
