"""Feedback ``Recorded`` events written straight to their stored form, for streaming ingestion.

Consumers record feedback by the ten thousand per second. Building each event object and
passing it through the library's generic mapper cost more than validating, hashing and
inserting it together, so ``RecordedFeedbackEncoder`` writes the stored event directly: the
same state dictionary the mapper would build for that event, with the registered transcodings
applied up front, serialised by orjson (twenty times faster than the ``json`` module here, and
byte for byte the same for this state: compact separators, UTF-8 text, ``json``'s escapes). The
one difference, floats below 1e-4 (``json`` writes ``1e-05``, orjson ``0.00001``), cannot occur
but in a rating that small, which goes through the library's own encoder instead. The tests
check the bytes against the mapper's, so replaying such an event cannot tell how it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.audit import Audit, AuditAsDict
from domain.base import LedgerAggregate, key_id
from domain.feedback import Feedback, feedback_fields

if TYPE_CHECKING:
    from domain import commands as c

SMALLEST_PLAIN_FLOAT = 1e-4
"""Below this (and above zero) ``json`` writes a float with an exponent and orjson without."""


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
        self.time_name = self.transcodings[datetime].name
        self.audit_name = self.transcodings[Audit].name
        if not isinstance(self.transcodings[Audit], AuditAsDict):
            raise TypeError("the feedback fast path writes audits as AuditAsDict does")

    def tagged(self, value: Any) -> dict[str, Any]:
        """A value of a registered type as the JSON transcoder stores it (``_type_`` and ``_data_``)."""
        transcoding = self.transcodings[type(value)]
        return {"_type_": transcoding.name, "_data_": transcoding.encode(value)}

    def stored_events(
        self, messages: Sequence[tuple[c.FeedbackFields, str]], recorded_at: datetime,
        actor: str | None = None, channel: str | None = None, texts: Sequence[str] | None = None,
    ) -> list[StoredEvent]:
        """The ``Recorded`` event of each (message, correlation), all recorded at ``recorded_at``
        (``actor`` and ``channel``: the authenticated person and channel, for feedback posted to the API;
        ``texts``: sealed, see ``personal_data``, in place of the messages' plaintext ``text``)."""
        timestamp = self.tagged(recorded_at)
        if texts is None:
            texts = [message.text for message, _ in messages]
        return [self._stored_event(message, correlation, timestamp, text, actor, channel)
                for (message, correlation), text in zip(messages, texts, strict=True)]

    def _stored_event(self, message: c.FeedbackFields, correlation: str, timestamp: dict[str, Any],
                      text: str, actor: str | None = None, channel: str | None = None) -> StoredEvent:
        # tagged(occurred_at) and tagged(Audit(occurred_at, ...)), with the time written once
        occurred_text = message.occurred_at.isoformat()
        state = {
            "timestamp": timestamp,
            "originator_topic": self.aggregate_topic,
            "audit": {"_type_": self.audit_name, "_data_": AuditAsDict.fields(
                occurred_text, actor=actor, correlation=correlation, channel=channel)},
            **feedback_fields(message),
        }
        state["text"] = text  # keeps its place in the order
        state["occurred_at"] = {"_type_": self.time_name, "_data_": occurred_text}  # keeps its place in the order
        rating = message.rating
        if rating is not None and 0 < abs(rating) < SMALLEST_PLAIN_FLOAT:
            stored_state = self.encoder.encode(state).encode("utf8")
        else:
            stored_state = orjson.dumps(state)
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
