"""The application service: turns validated commands into events, one transaction per batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import EventStore, JSONTranscoder, ProcessRecorder, Tracking

from domain.audit import Audit, AuditAsDict
from domain.base import LedgerAggregate, key_id
from domain.feedback import feedback_fields
from domain.personal_data import KeptKey, KeyStore, NewKey, Revealer
from domain.service.batch import (
    Acting,
    BatchResult,
    FeedbackOutcome,
    PositionAlreadyRecorded,
)
from domain.service.forget import ForgetResult, forget
from domain.service.retry import RETRY
from domain.service.snapshots import SetAsList, snapshot_store, take_snapshots
from domain.stores.common import ledger_store, opening
from domain.stores.feedback_fast_path import RecordedFeedbackEncoder
from domain.stores.port import LEDGER_NAME, LedgerStore, Receipt
from domain.stores.tamper_evidence import VerifyReport
from domain.stores.url import is_memory, release_unclaimed, store_environment

if TYPE_CHECKING:
    from domain import commands as c
    from domain.service.feedback_batch import ConflictSink

__all__ = ["Acting", "BatchResult", "FeedbackOutcome", "Ledger", "PositionAlreadyRecorded", "feedback_fields"]

A = TypeVar("A", bound=LedgerAggregate)


class Ledger(Application[uuid.UUID]):
    """The clientocracy ledger: every command becomes an immutable, audited event."""

    name = LEDGER_NAME
    env: ClassVar[dict[str, str]] = {"PERSISTENCE_MODULE": "domain.stores.memory:MemoryFactory"}
    """``Ledger()`` runs on a new in-memory store (``domain.stores.memory``), as ``Ledger.open("memory://")`` does."""
    is_snapshotting_enabled = True
    """Long-lived aggregates load from their latest snapshot (``domain.service.snapshots``)."""
    store_url: str | None = None
    """Where the store is, when the ledger was opened from a URL another process can open (a writer
    process opens it again); None for an in-memory store."""

    @classmethod
    def open(cls, store_url: str, *, create: bool = True) -> Ledger:
        """The ledger on the store at ``store_url``, creating its tables on first use (``create``: writers only)."""
        environment = store_environment(store_url, create=create)
        try:
            ledger = opening(lambda: cls(env=environment), store_url)
        finally:
            release_unclaimed(environment)
        ledger.store_url = None if is_memory(store_url) else store_url
        return ledger

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(AuditAsDict())
        transcoder.register(SetAsList())

    def construct_recorder(self) -> ProcessRecorder:
        recorder = self.factory.process_recorder()
        self.store: LedgerStore = ledger_store(recorder)
        """The recorder, through the store port (``recorder`` is the same object, as the library types it)."""
        return recorder

    def construct_snapshot_store(self) -> EventStore[uuid.UUID]:
        return snapshot_store(self.factory, self.mapper)

    @cached_property
    def feedback_encoder(self) -> RecordedFeedbackEncoder:
        return RecordedFeedbackEncoder(self.mapper)

    @property
    def keystore(self) -> KeyStore:
        """The data subjects' keys: a table of the store."""
        return self.store

    # Commands ---------------------------------------------------------------------

    def execute(
        self, commands: Sequence[c.Command], now: datetime | None = None, acting: Acting | None = None,
        whole: bool = False,
    ) -> BatchResult:
        """Apply a batch of commands in one transaction; bad commands are rejected, never half-written.
        ``whole``: all or nothing, so one refused command leaves the batch unrecorded (``BatchResult.withheld``).

        Without ``acting`` the commands come from the trusted operator (channel ``import``, actor as
        given); with it each is judged by the permission table and recorded as that person's.
        A lost race (a write conflict, or a "now" overtaken by a concurrent writer's later "now") re-reads
        and re-decides the whole batch under the one retry policy (``domain.service.retry``); "now"
        (the time of commands without ``at``) is read anew for each attempt.
        """
        return RETRY.run(lambda last: self._execute_once(
            commands, now or datetime.now(UTC), acting, clock=now is None and not last, whole=whole))

    def _execute_once(self, commands: Sequence[c.Command], now: datetime, acting: Acting | None,
                      clock: bool = False, whole: bool = False) -> BatchResult:
        from domain.service.command_batch import decide_batch  # the commands' models: writers only

        result, uow = decide_batch(self.store, self.repository, commands, now, acting, clock)
        if whole and (result.rejected or result.forbidden or result.conflicts):
            result.withheld = True
            return result
        if uow.events or uow.receipts:
            result.position = self.record(uow.events, tracking=None, receipts=uow.receipts, guards=uow.guards(),
                                          keys=uow.sealer.new_keys(), sealed_with=uow.sealer.kept_keys())
            take_snapshots(self.snapshots, self.repository, uow.events)
        result.events = len(uow.events)
        return result

    def record_feedback(
        self, messages: Sequence[tuple[c.FeedbackFields, str]], tracking: Tracking | None,
        acting: Acting | None = None, *, sender: str | None = None, on_conflicts: ConflictSink | None = None,
    ) -> FeedbackOutcome:
        """Record a batch of feedback messages and their source position in one transaction
        (``acting``: the authenticated person who posted them, and through which channel; ``sender``: the
        channel that streamed them; ``on_conflicts``: see ``domain.service.feedback_batch``)."""
        from domain.service.feedback_batch import record_feedback_batch  # the commands' models: writers only

        return RETRY.run(lambda last: record_feedback_batch(
            self.store, self.feedback_encoder, messages, tracking, acting, sender, on_conflicts, self.repository))

    def record(self, events: list[Any], tracking: Tracking | None, receipts: Sequence[Receipt | str],
               guards: Sequence[tuple[uuid.UUID, int]] = (), keys: Sequence[NewKey] = (),
               sealed_with: Sequence[KeptKey] = ()) -> int | None:
        """Store new events, their receipts and a tracking position in one transaction (``guards``: aggregates
        the batch relied on at these versions, ``domain.stores.guards``; ``keys``: the subjects' keys first
        sealed into the events, ``Sealer.new_keys``; ``sealed_with``: the stored keys they were sealed with,
        which must still be there, ``Sealer.kept_keys``).

        Like ``save()``, minus its per-object protocol checks, which cost more than the
        insert itself on large batches; the events here come straight from our aggregates.
        """
        processing_event: ProcessingEvent[uuid.UUID] = ProcessingEvent(tracking)
        processing_event.events.extend(events)
        processing_event.saved_kwargs["receipts"] = receipts
        processing_event.saved_kwargs["guards"] = guards
        processing_event.saved_kwargs["keys"] = keys
        processing_event.saved_kwargs["sealed_with"] = sealed_with
        recordings = self._record(processing_event)
        self._notify(recordings)
        return max((r.notification.id for r in recordings), default=None)

    # Queries ----------------------------------------------------------------------

    def count_receipts(self, prefix: str) -> int:
        """How many idempotency keys starting with ``prefix`` are recorded (``"feedback:"``: feedback)."""
        return int(self.store.count_receipts(prefix))

    def tracked_position(self, application_name: str) -> int | None:
        return self.store.max_tracking_id(application_name)

    def history(self, cls: type[LedgerAggregate], key: str, as_of: datetime | None = None) -> list[Any]:
        """The events of one aggregate whose business time is at or before ``as_of``."""
        events: list[Any] = list(self.events.get(key_id(cls.KIND, key)))
        if as_of is not None:
            events = [e for e in events if e.audit.at <= as_of]
        return events

    def state(self, cls: type[A], key: str, as_of: datetime | None = None) -> A | None:
        """An aggregate as it was at ``as_of`` (None if it did not exist yet)."""
        events = self.history(cls, key, as_of)
        if not events:
            return None
        aggregate: A | None = None
        for domain_event in events:
            aggregate = domain_event.mutate(aggregate)
        if aggregate is not None:
            revealer = Revealer(self.keystore)
            for name in (*aggregate.PERSONAL_FIELDS, *aggregate.LATER_PERSONAL_FIELDS):
                setattr(aggregate, name, revealer.reveal(getattr(aggregate, name)))
        return aggregate

    def reveal(self, value: Any) -> Any:
        """A sealed value's plaintext (``[forgotten]`` once its subject was forgotten)."""
        return Revealer(self.keystore).reveal(value)

    def forget(self, kind: str, key: str, reason: str, actor: str | None = None,
               at: datetime | None = None) -> ForgetResult:
        """Forget a client or a person: destroy its key, record ``SubjectForgotten`` (see ``domain.service.forget``)."""
        audit = Audit(at=at or datetime.now(UTC), actor=actor, reason=reason)
        return forget(self, kind, key, reason, audit)

    def verify(self) -> VerifyReport:
        return self.store.verify_chain()

