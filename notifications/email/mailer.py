"""E-mail in the delivery loop: ``evaluate`` adds the rows the signals call for (each critical signal that appeared in
the last 7 days to each person it concerns, and at 07:00 UTC each person's digest of the rest that appeared in the
day before; a backdated signal appears after its ``raised_at``: ``notifications.webhooks.appearing``), ``dispatch``
claims what is due and sends it on a thread of its own, so an SMTP server that is slow or refuses never holds the
webhooks up. A refused or failed message is tried again later (the webhooks' backoff), up to the same number of
attempts. Time comes from ``clock`` (seconds since the epoch), so tests can move it."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from domain.stores.appearance_tables import appearances_in
from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.mail_tables import MailRow, mail_in
from domain.stores.port import LedgerStore
from notifications.email import messages
from notifications.email.recipients import Directory, directory
from notifications.email.smtp import SmtpSettings
from notifications.webhooks.appearing import Appearances
from notifications.webhooks.evaluating import epoch
from notifications.webhooks.policy import DeliveryPolicy
from notifications.webhooks.reading import Reading
from projections.signals.model import Signal

log = logging.getLogger(__name__)
DIGEST_HOUR = 7
BATCH = 10
"""Messages claimed and sent over one SMTP connection."""
RECORD_WAIT = 0.2
"""Seconds ``close`` waits at least for an outcome's write under way (milliseconds, unless a lock holds it)."""


def digest_day(now: float) -> datetime:
    """The latest 07:00 UTC at or before ``now`` (naive UTC, as signals' times are)."""
    moment = datetime.fromtimestamp(now, UTC).replace(tzinfo=None)
    start = moment.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return start if start <= moment else start - timedelta(days=1)


class Mailer:
    def __init__(self, store: LedgerStore, smtp: SmtpSettings, reading: Reading, *, public_url: str = "",
                 policy: DeliveryPolicy | None = None, clock: Callable[[], float] = time.time,
                 on_progress: Callable[[], None] | None = None) -> None:
        self.table = mail_in(store)
        self.appearances = Appearances(appearances_in(store))
        self.smtp = smtp
        self.reading = reading
        self.public_url = public_url
        self.policy = policy or DeliveryPolicy.from_environment()
        self.clock = clock
        self.on_progress = on_progress or (lambda: None)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")
        self.busy = threading.Event()
        self.recording = threading.Lock()
        """Held while the mail thread writes a message's outcome, and by ``close`` to end those writes: after
        ``close`` the owner closes the store, and a batch still waiting for a slow server must not write to it."""
        self.closed = False
        self.known: set[str] = set()

    @property
    def lease(self) -> float:
        """Long enough for a whole batch over one slow connection: past it, the claimer has certainly stopped."""
        return self.smtp.timeout * (BATCH + 3)

    def _people(self) -> Directory:
        with self.reading() as con:
            return directory(con)

    def evaluate(self, signals: Sequence[Signal], news: Mapping[str, float] | None = None) -> int:
        """Add the messages these signals call for that no process added yet; how many. ``news``: when each signal
        still news appeared (the delivery loop's, shared with the webhooks); by default judged here."""
        now = self.clock()
        news = self.appearances.news(signals, now) if news is None else news
        people = self._people()
        rows: list[MailRow] = []
        wanted: set[str] = set()

        def add(about: str, person: str, subject: str, body: str) -> None:
            mail_id = messages.mail_id(about, person)
            wanted.add(mail_id)
            if mail_id not in self.known:
                rows.append(MailRow(mail_id, person, about, "pending", subject, body, now, now, 0.0, 0, None, None))

        for signal in signals:
            if signal.severity == "critical" and signal.id in news:
                subject, body = messages.critical(signal, self.public_url)
                for person in people.concerned(signal):
                    add(signal.id, person, subject, body)
        day = digest_day(now)
        start, end = epoch(day - timedelta(days=1)), epoch(day)
        by_person: defaultdict[str, list[Signal]] = defaultdict(list)
        for signal in signals:
            if signal.severity != "critical" and signal.id in news and start <= news[signal.id] < end:
                for person in people.concerned(signal):
                    by_person[person].append(signal)
        for person, theirs in by_person.items():
            add(f"digest:{day:%Y-%m-%d}", person, *messages.digest(f"{day:%Y-%m-%d}", theirs, self.public_url))
        self.known.intersection_update(wanted)  # only what the signals still call for: it does not grow forever
        if not rows:
            return 0
        present = self.table.known([r.id for r in rows])
        fresh = [r for r in rows if r.id not in present]
        self.table.add(fresh)
        self.known.update(r.id for r in rows)
        return len(fresh)

    def in_flight(self) -> int:
        return int(self.busy.is_set())

    def dispatch(self) -> int:
        """Claim what is due and send it on the mail thread (one batch at a time); how many were claimed."""
        if self.busy.is_set():
            return 0
        now = self.clock()
        claimed = self.table.claim(now, now + self.lease, BATCH)
        if not claimed:
            return 0
        addresses = self._people().addresses  # read now: a person forgotten since the row was added gets nothing
        batch = []
        for row in claimed:
            if row.person in addresses:
                batch.append((row, addresses[row.person]))
            else:
                self.table.finish(row, "skipped", now, "no address (none, removed or forgotten)", now)
        if batch:
            self.busy.set()
            self.pool.submit(self._send, batch)
        return len(claimed)

    def _send(self, batch: list[tuple[MailRow, str]]) -> None:
        try:
            now = self.clock()
            letters = [messages.envelope(row.id, self.smtp.sender, address, row.subject, row.body, now)
                       for row, address in batch]
            try:
                errors = self.smtp.send(letters)
            except Exception as failure:  # refused, unreachable, no answer: every message of the batch waits
                log.warning("e-mail not sent through %s:%s (%s); trying again later", self.smtp.host, self.smtp.port,
                            failure)
                errors = [f"{type(failure).__name__}: {failure}"[:300]] * len(batch)
            for (row, _), error in zip(batch, errors, strict=True):
                if not self._record(row, error):
                    log.info("e-mail batch answered after the mailer stopped; its messages are sent again after"
                             " their lease")
                    break
        except LockWaitTimeout as error:  # another process holds the store's lock: sent again after the lease
            log.warning("e-mail batch not recorded; its messages stay due: %s", error)
        except Exception:
            log.exception("e-mail batch failed; its messages stay due")
        finally:
            self.busy.clear()
            self.on_progress()

    def _record(self, row: MailRow, error: str | None) -> bool:
        """Write how sending ``row`` ended; False, writing nothing, once the mailer is closed."""
        with self.recording:
            if self.closed:
                return False
            now = self.clock()
            if error is None:
                self.table.finish(row, "sent", now, None, now)
            elif row.attempts >= self.policy.attempts:
                self.table.finish(row, "failed", now, error, now)
            else:
                self.table.finish(row, "pending", now + self.policy.retry_delay(row.attempts), error, now)
            return True

    def close(self, grace: float = 1.0) -> bool:
        """Let a batch under way finish for up to ``grace`` seconds; an unfinished one is sent again after its
        lease (at least once) and writes nothing more. True once no outcome's write is under way: False, one waits
        for another process's lock (within the store's bound) and the owner must leave the store open for it."""
        deadline = time.monotonic() + grace
        while self.busy.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.closed = True  # ``_record`` reads it under ``recording``: no write begins after this
        self.pool.shutdown(wait=False, cancel_futures=True)
        if not self.recording.acquire(timeout=max(RECORD_WAIT, deadline - time.monotonic())):
            return False
        self.recording.release()
        return True
