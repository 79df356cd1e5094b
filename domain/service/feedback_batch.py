"""One attempt at a batch of streamed feedback: the new messages' stored events, their receipts, one insert.

Kafka and file ingestion write a lot of feedback and nothing else, so this path skips the aggregates:
each message becomes its stored ``Feedback.Recorded`` event directly (``RecordedFeedbackEncoder``),
with the source position as a tracking record in the same transaction (exactly once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Tracking

from domain import commands as c
from domain.personal_data import Sealer, client_subject
from domain.service.batch import Acting, FeedbackOutcome, PositionAlreadyRecorded
from domain.service.earlier_feedback import earlier_feedback
from domain.service.receipts import ReceiptBook, Verdict, sender_of
from domain.stores.feedback_fast_path import RecordedFeedbackEncoder
from domain.stores.port import LedgerStore, Receipt

ConflictSink = Callable[[list[tuple[int, str]]], None]
"""Told of a batch's refused messages (index in the batch, reason) before the batch is written."""


def record_feedback_batch(
    store: LedgerStore, encoder: RecordedFeedbackEncoder,
    messages: Sequence[tuple[c.FeedbackFields, str]], tracking: Tracking | None, acting: Acting | None,
    channel_sender: str | None = None, on_conflicts: ConflictSink | None = None, repository: Any = None,
) -> FeedbackOutcome:
    """Record the messages not seen before (by ``feedback_id``) and the tracking position, in one transaction;
    ``PositionAlreadyRecorded`` when the position was already processed (a redelivery).

    A ``feedback_id`` recorded before with other content is refused (``domain.service.receipts``): the
    outcome lists it, and ``on_conflicts`` hears of it before anything is written (a consumer dead-letters
    it there, so the tracked position never passes a refusal that was not kept). The sender is the
    channel (``channel_sender``: ``kafka``, ``file``) or the person ``acting``; the ``repository`` tells what a
    ``feedback_id`` recorded before receipts kept digests stood for (``domain.service.earlier_feedback``)."""
    if tracking is not None:
        done = store.max_tracking_id(tracking.application_name)
        if done is not None and tracking.notification_id <= done:
            raise PositionAlreadyRecorded(f"{tracking.application_name} already at {done}")
    sealer = Sealer(store, with_events=True)
    earlier = None if repository is None else earlier_feedback(repository, store, sealer)
    sender = channel_sender or sender_of(acting)
    book = ReceiptBook(store, sealer, [message for message, _ in messages], sender, earlier)
    new: list[tuple[c.FeedbackFields, str]] = []
    receipts: list[Receipt] = []
    conflicts: list[tuple[int, str]] = []
    for index, item in enumerate(messages):
        judged = book.verdict(index)
        if judged.verdict is Verdict.CONFLICT:
            conflicts.append((index, judged.reason()))
        elif judged.verdict is Verdict.NEW:
            receipts.extend(book.note(index))
            new.append(item)
    if conflicts and on_conflicts is not None:
        on_conflicts(conflicts)  # durable before the position that passes them is
    texts = [sealer.seal(client_subject(m.client), m.text) for m, _ in new]
    stored = encoder.stored_events(
        new, datetime.now(UTC), acting.person if acting else None, acting.channel if acting else None, texts)
    ids = store.insert_events(stored, tracking=tracking, receipts=receipts, keys=sealer.new_keys(),
                              sealed_with=sealer.kept_keys())
    return FeedbackOutcome(recorded=len(new), duplicates=len(messages) - len(new) - len(conflicts),
                           position=max(ids) if ids else None, conflicts=tuple(conflicts))
