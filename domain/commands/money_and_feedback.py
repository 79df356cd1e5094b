"""Client feedback and step 7's ledger entries (handled in ``domain.handlers.money_and_feedback``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.commands.fields import (
    Command,
    FeedbackKind,
    Id,
    Key,
    LedgerKind,
    LedgerPeriod,
    Number,
    OptionalText,
    Personal,
    Rating,
    Text,
    UtcTime,
    VisibleKey,
)

# Feedback ----------------------------------------------------------------------------


class FeedbackFields(BaseModel):
    """The feedback message of docs/brief.md §4, shared by the Kafka consumer and import."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    feedback_id: Id
    client: VisibleKey
    kind: FeedbackKind
    channel: VisibleKey
    text: Annotated[OptionalText, Personal("client")]  # feedback text belongs to its client
    rating: Rating | None = None
    team: VisibleKey | None = None
    promise: VisibleKey | None = None
    occurred_at: UtcTime


class FeedbackMessage(FeedbackFields):
    """A feedback message as it arrives on Kafka (no envelope fields)."""


class RecordFeedback(Command, FeedbackFields):
    type: Literal["RecordFeedback"]


class ResolveFeedback(Command):
    type: Literal["ResolveFeedback"]
    feedback_id: Key
    resolution: Text


class RespondToFeedback(Command):
    """docs/brief.md §9: the first answer to the client, before or without a resolution."""

    type: Literal["RespondToFeedback"]
    feedback_id: Key
    response: Text


class AssignFeedback(Command):
    """docs/brief.md §9: gives a complaint that names no team the team that answers it."""

    type: Literal["AssignFeedback"]
    feedback_id: Key
    team: Key


# Step 7: economics ------------------------------------------------------------------


class PostLedgerEntry(Command):
    type: Literal["PostLedgerEntry"]
    team: Key
    period: LedgerPeriod
    kind: LedgerKind
    amount: Annotated[Number, Field(ge=0)]
    description: OptionalText = ""
