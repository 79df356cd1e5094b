"""Client feedback: complaints, praise, ratings and suggestions, and how complaints were resolved."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, PersonalFields

if TYPE_CHECKING:  # the commands import pydantic, which the show commands' short road never needs
    from domain import commands as c
    from domain.personal_data import Sealer


class Feedback(LedgerAggregate):
    """One piece of feedback, keyed by its ``feedback_id`` so a re-sent message names the same aggregate."""

    KIND = "feedback"
    PERSONAL_FIELDS = PersonalFields("domain.commands.money_and_feedback:FeedbackFields")
    LATER_PERSONAL_FIELDS = ("resolution", "response")
    """The team's answers to the client are the client's personal data too (docs/brief.md §7)."""

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
        self.response: str | None = None

    def sealed(self, sealer: Sealer, answer: str) -> str:
        """An answer to this feedback sealed under its client's key, as its ``LATER_PERSONAL_FIELDS`` are kept:
        forgetting the client shreds what the team wrote to it as well as what it wrote."""
        from domain.personal_data import client_subject  # the short road never loads the cipher

        return sealer.seal(client_subject(self.client), answer)

    @event("Resolved")
    def resolve(self, resolution: str, audit: Audit) -> None:
        self.check_time(audit)
        if self.resolution is not None:
            raise DomainError(f"feedback {self.key} is already resolved")
        self.resolution = resolution

    @event("Responded")
    def respond(self, response: str, audit: Audit) -> None:
        """The first answer to the client (docs/brief.md §9), before or without a resolution: it stops the
        response deadline's clock; a later answer is conversation, not a response time."""
        self.check_time(audit)
        self.response = response

    @event("Assigned")
    def assign(self, team: str, audit: Audit) -> None:
        """Gives a complaint that named no team (nor a promise) the team that answers it (docs/brief.md §9)."""
        self.check_time(audit)
        self.team = team


def feedback_fields(fields: c.FeedbackFields) -> dict[str, Any]:
    """The Feedback aggregate's creation arguments from a validated message, in its constructor's order."""
    return {
        "key": fields.feedback_id, "client": fields.client, "kind": fields.kind, "channel": fields.channel,
        "text": fields.text, "rating": fields.rating, "team": fields.team, "promise": fields.promise,
        "occurred_at": fields.occurred_at,
    }
