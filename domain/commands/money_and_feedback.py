"""Client feedback and steps 7-8: ledger entries and reward schemes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.commands.fields import (
    Command,
    FeedbackKind,
    Key,
    LedgerKind,
    LedgerPeriod,
    Number,
    OptionalText,
    Rating,
    RewardVariant,
    Share,
    SplitKey,
    Text,
    UtcTime,
)

# Feedback ----------------------------------------------------------------------------


class FeedbackFields(BaseModel):
    """The feedback message of BRIEF §4, shared by the Kafka consumer and import."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    feedback_id: Key
    client: Key
    kind: FeedbackKind
    channel: Key
    text: OptionalText
    rating: Rating | None = None
    team: Key | None = None
    promise: Key | None = None
    occurred_at: UtcTime


class FeedbackMessage(FeedbackFields):
    """A feedback message as it arrives on Kafka (no envelope fields)."""


class RecordFeedback(Command, FeedbackFields):
    type: Literal["RecordFeedback"]


class ResolveFeedback(Command):
    type: Literal["ResolveFeedback"]
    feedback_id: Key
    resolution: Text


# Step 7 and 8: economics and reward --------------------------------------------------


class PostLedgerEntry(Command):
    type: Literal["PostLedgerEntry"]
    team: Key
    period: LedgerPeriod
    kind: LedgerKind
    amount: Annotated[Number, Field(ge=0)]
    description: OptionalText = ""


class ChooseRewardScheme(Command):
    type: Literal["ChooseRewardScheme"]
    team: Key
    variant: RewardVariant = "team_net_profit_share"
    share: Share = 0.20
    carry_forward_losses: bool = False
    team_weight: Share = 1.0
    split: SplitKey = "equal"
    base_pay: dict[Key, Annotated[Number, Field(ge=0)]] = {}
    hours: dict[Key, Annotated[Number, Field(ge=0)]] = {}
    cadence: Literal["month"] = "month"
