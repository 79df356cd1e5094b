"""Client feedback: complaints, praise, ratings and suggestions, and how complaints were resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, key_id

FEEDBACK_TOPIC = "domain.feedback:Feedback"


class Feedback(LedgerAggregate):
    """One piece of feedback, keyed by its ``feedback_id`` so a re-sent message names the same aggregate."""

    KIND = "feedback"

    @event("Recorded")
    def __init__(
        self,
        key: str,
        client: str,
        kind: str,
        channel: str,
        text: str,
        rating: float | None,
        team: str | None,
        promise: str | None,
        occurred_at: datetime,
        audit: Audit,
    ) -> None:
        self.key = key
        self.client = client
        self.kind = kind
        self.channel = channel
        self.text = text
        self.rating = rating
        self.team = team
        self.promise = promise
        self.occurred_at = occurred_at
        self.resolution: str | None = None

    @classmethod
    def recorded_event(cls, timestamp: datetime, audit: Audit, **fields: Any) -> LedgerAggregate.Created:
        """The ``Recorded`` event alone, without building the aggregate it would create.

        Feedback streams in by the thousand per second and its creation checks nothing, so the
        Kafka and file consumers store this event directly; replaying it builds the same aggregate.
        """
        return cls.Recorded(  # type: ignore[attr-defined,no-any-return]  # made by @event
            originator_id=key_id(cls.KIND, fields["key"]),
            originator_version=cls.INITIAL_VERSION,
            timestamp=timestamp,
            originator_topic=FEEDBACK_TOPIC,
            audit=audit,
            **fields,
        )

    @event("Resolved")
    def resolve(self, resolution: str, audit: Audit) -> None:
        self.check_time(audit)
        if self.resolution is not None:
            raise DomainError(f"feedback {self.key} is already resolved")
        self.resolution = resolution
