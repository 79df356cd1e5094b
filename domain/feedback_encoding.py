"""Feedback ``Recorded`` events written straight to their stored form, for streaming ingestion.

Consumers record feedback by the ten thousand per second. Building each event object and
passing it through the library's generic mapper cost more than validating, hashing and
inserting it together, so ``RecordedFeedbackEncoder`` writes the stored event directly: the
same state dictionary the mapper would build for that event, with the registered transcodings
applied up front, serialised by the library's own JSON encoder. The tests check the bytes against
the mapper's, so replaying such an event cannot tell how it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain import commands as c
from domain.audit import Audit
from domain.base import LedgerAggregate, key_id
from domain.feedback import Feedback


class RecordedFeedbackEncoder:
    """Stored ``Feedback.Recorded`` events from validated messages, as the mapper would store them."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        if not isinstance(mapper.transcoder, JSONTranscoder):
            raise TypeError("the feedback fast path writes the JSON transcoder's format only")
        self.mapper = mapper
        self.transcodings = mapper.transcoder.types
        self.encoder = mapper.transcoder.encoder
        self.topic = get_topic(Feedback.Recorded)  # type: ignore[attr-defined]  # made by @event
        self.aggregate_topic = get_topic(Feedback)

    def tagged(self, value: Any) -> dict[str, Any]:
        """A value of a registered type as the JSON transcoder stores it (``_type_`` and ``_data_``)."""
        transcoding = self.transcodings[type(value)]
        return {"_type_": transcoding.name, "_data_": transcoding.encode(value)}

    def stored_events(
        self, messages: Sequence[tuple[c.FeedbackFields, str]], recorded_at: datetime
    ) -> list[StoredEvent]:
        """The ``Recorded`` event of each (message, correlation), all recorded at ``recorded_at``."""
        timestamp = self.tagged(recorded_at)
        return [self._stored_event(message, correlation, timestamp) for message, correlation in messages]

    def _stored_event(self, message: c.FeedbackFields, correlation: str, timestamp: dict[str, Any]) -> StoredEvent:
        occurred_at = self.tagged(message.occurred_at)
        state = {
            "timestamp": timestamp,
            "originator_topic": self.aggregate_topic,
            "audit": self.tagged(Audit(at=message.occurred_at, correlation=correlation)),
            "key": message.feedback_id,
            "client": message.client,
            "kind": message.kind,
            "channel": message.channel,
            "text": message.text,
            "rating": message.rating,
            "team": message.team,
            "promise": message.promise,
            "occurred_at": occurred_at,
        }
        stored_state = self.encoder.encode(state).encode("utf8")
        if self.mapper.compressor:
            stored_state = self.mapper.compressor.compress(stored_state)
        if self.mapper.cipher:
            stored_state = self.mapper.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=key_id(Feedback.KIND, message.feedback_id),
            originator_version=LedgerAggregate.INITIAL_VERSION,
            topic=self.topic,
            state=stored_state,
        )
