"""The exactly-once step every feedback source shares: decode a batch, dead-letter, record with its position.

A batch is recorded as ONE store transaction holding its new feedback events, their
``feedback_id`` receipts and the tracking record of the batch's last source position
(``Ledger.record_feedback``).  The dead letters of a batch are made durable *before* that
transaction, so a crash at any point re-reads the batch instead of losing a message, and a
re-read batch is recognised by its position (or, for a re-sent message, by its ``feedback_id``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Generic, NamedTuple, Protocol, TypeVar

from eventsourcing.persistence import Tracking

from consumers.ingest_summary import IngestSummary, known_position
from consumers.messages import ID_CONFLICT, Rejection, decode_feedback
from domain.commands import FeedbackMessage
from domain.service.batch import FeedbackOutcome, PositionAlreadyRecorded
from domain.service.ledger import Ledger
from domain.service.receipts import FILE, KAFKA

T = TypeVar("T")


class Incoming(NamedTuple, Generic[T]):
    """One raw message and where it came from; ``origin`` is what its dead letter needs to find."""

    position: int
    correlation: str
    raw: bytes | None
    origin: T


class DeadLetters(Protocol[T]):
    """Where rejected messages go; ``send`` returns only once they are durably written."""

    def send(self, rejected: Sequence[tuple[Incoming[T], Rejection]]) -> None: ...


class DeadLetterError(RuntimeError):
    """Dead letters could not be written: the source position must not advance past them."""


class FeedbackRecorder:
    """Records batches into the ledger exactly once and keeps the run's tally.

    The channel (``kafka``, ``file``) is the sender of its messages (``domain.service.receipts``): a
    ``feedback_id`` recorded before with other content is refused and dead-lettered ``id_conflict``,
    durably, before the transaction that records the batch's position past it."""

    def __init__(self, ledger: Ledger, summary: IngestSummary, sender: str | None = None) -> None:
        self.ledger = ledger
        self.summary = summary
        self.sender = sender or (FILE if summary.source.startswith(("file:", "stdin")) else KAFKA)

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        return known_position(self.ledger, self.summary, name, refresh=refresh)

    def record(self, name: str | None, batch: Sequence[Incoming[T]], dead_letters: DeadLetters[T]) -> None:
        """Record one batch of one source; ``name`` None means an untracked source (stdin)."""
        done = self.position(name) if name is not None else None
        if done is not None:
            batch = [item for item in batch if item.position > done]
        if not batch:
            return
        valid: list[tuple[FeedbackMessage, str]] = []
        sources: list[Incoming[T]] = []
        rejected: list[tuple[Incoming[T], Rejection]] = []
        for item in batch:
            decoded = decode_feedback(item.raw)
            if isinstance(decoded, Rejection):
                rejected.append((item, decoded))
            else:
                valid.append((decoded, item.correlation))
                sources.append(item)
        if self.summary.first_message is None:
            self.summary.first_message = time.monotonic()
        self.summary.consumed += len(batch)
        if rejected:
            dead_letters.send(rejected)
            self.summary.dead_lettered += len(rejected)
        if name is None:
            self._count(self._write(valid, sources, None, dead_letters))
            return
        try:
            self._count(self._write(valid, sources, Tracking(name, batch[-1].position), dead_letters))
        except PositionAlreadyRecorded:
            # Another member got there first (its partition moved to us mid-batch); its write stands.
            self.summary.already_recorded += len(valid)
            self.position(name, refresh=True)
            return
        self.summary.positions[name] = batch[-1].position

    def _write(self, valid: list[tuple[FeedbackMessage, str]], sources: list[Incoming[T]],
               tracking: Tracking | None, dead_letters: DeadLetters[T]) -> FeedbackOutcome:
        """One atomic, idempotent transaction (the ledger re-decides it when a concurrent writer wins); the
        messages it refuses as ``id_conflict`` are dead-lettered first (once, whatever the attempts)."""
        sent: set[int] = set()

        def dead_letter(conflicts: list[tuple[int, str]]) -> None:
            letters = [(sources[index], Rejection(ID_CONFLICT, reason)) for index, reason in conflicts
                       if index not in sent]
            if letters:
                dead_letters.send(letters)
                sent.update(index for index, _ in conflicts)

        return self.ledger.record_feedback(valid, tracking, sender=self.sender, on_conflicts=dead_letter)

    def _count(self, outcome: FeedbackOutcome) -> None:
        self.summary.recorded += outcome.recorded
        self.summary.duplicates += outcome.duplicates
        self.summary.dead_lettered += len(outcome.conflicts)
        self.summary.id_conflicts += len(outcome.conflicts)
