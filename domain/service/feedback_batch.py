"""One attempt at a batch of streamed feedback: the new messages' stored events, their receipts, one insert.

Kafka and file ingestion write a lot of feedback and nothing else, so this path skips the aggregates:
each message becomes its stored ``Feedback.Recorded`` event directly (``RecordedFeedbackEncoder``),
with the source position as a tracking record in the same transaction (exactly once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from eventsourcing.persistence import Tracking

from domain import commands as c
from domain.personal_data import Sealer, client_subject
from domain.service.batch import Acting, FeedbackOutcome, PositionAlreadyRecorded, feedback_receipt
from domain.stores.feedback_fast_path import RecordedFeedbackEncoder
from domain.stores.port import LedgerStore


def record_feedback_batch(
    store: LedgerStore, encoder: RecordedFeedbackEncoder,
    messages: Sequence[tuple[c.FeedbackFields, str]], tracking: Tracking | None, acting: Acting | None,
) -> FeedbackOutcome:
    """Record the messages not seen before (by ``feedback_id``) and the tracking position, in one transaction;
    ``PositionAlreadyRecorded`` when the position was already processed (a redelivery)."""
    if tracking is not None:
        done = store.max_tracking_id(tracking.application_name)
        if done is not None and tracking.notification_id <= done:
            raise PositionAlreadyRecorded(f"{tracking.application_name} already at {done}")
    keys = [feedback_receipt(m.feedback_id) for m, _ in messages]
    seen = store.existing_receipts(keys) if keys else set()
    new: list[tuple[c.FeedbackFields, str]] = []
    receipts: list[str] = []
    for key, (message, correlation) in zip(keys, messages, strict=True):
        if key not in seen:
            seen.add(key)
            receipts.append(key)
            new.append((message, correlation))
    sealer = Sealer(store, {client_subject(m.client) for m, _ in new})
    texts = [sealer.seal(client_subject(m.client), m.text) for m, _ in new]
    stored = encoder.stored_events(
        new, datetime.now(UTC), acting.person if acting else None, acting.channel if acting else None, texts)
    ids = store.insert_events(stored, tracking=tracking, receipts=receipts)
    return FeedbackOutcome(recorded=len(receipts), duplicates=len(messages) - len(receipts),
                           position=max(ids) if ids else None)
