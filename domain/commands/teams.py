"""Steps 5-8 for a team: members, rules, authority, metrics and readings, the reward scheme
(handled in ``domain.handlers.teams``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from domain.commands.fields import (
    Command,
    Direction,
    Key,
    NewKey,
    Number,
    RewardVariant,
    Share,
    SplitKey,
    Text,
)
from domain.durations import canonical_duration


class FormTeam(Command):
    type: Literal["FormTeam"]
    team: NewKey
    name: Text


class AddMember(Command):
    type: Literal["AddMember"]
    team: Key
    person: Key
    role: Key
    lead: bool = False


class RemoveMember(Command):
    type: Literal["RemoveMember"]
    team: Key
    person: Key


Duration = Annotated[str, StringConstraints(strict=True, max_length=40), AfterValidator(canonical_duration)]
"""An ISO-8601 duration (``PT2H``, ``P2D``), kept as its canonical text (``domain.durations``)."""


class SetCommunicationRules(Command):
    """docs/brief.md §9: the complaint durations stay until set again - one left out keeps the team's current
    one, an explicit null removes it."""

    type: Literal["SetCommunicationRules"]
    team: Key
    rules: list[Text] = Field(min_length=1)
    complaint_response_within: Duration | None = None
    complaint_resolution_within: Duration | None = None


class GrantAuthority(Command):
    type: Literal["GrantAuthority"]
    team: Key
    authority: NewKey
    description: Text


class RevokeAuthority(Command):
    type: Literal["RevokeAuthority"]
    team: Key
    authority: Key
    reason: Text  # revoking authority always says why


class DefineMetric(Command):
    type: Literal["DefineMetric"]
    metric: NewKey
    name: Text
    unit: Key
    direction: Direction
    owner: Key | None = None  # docs/brief.md §10: the team whose members record its readings


class RecordReading(Command):
    type: Literal["RecordReading"]
    metric: Key
    value: Number
    # ``at``: when it was taken; like every command's, it defaults to now (docs/brief.md §4)


class SetSuccessMetric(Command):
    """docs/brief.md §11: the metric by which the team judges its own success, and the value it aims for."""

    type: Literal["SetSuccessMetric"]
    team: Key
    metric: Key
    target: Number | None = None
    reason: Text  # choosing what counts as success always says why


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


class DelegateConsent(Command):
    """docs/brief.md §10: the lead names a person who may consent for the team."""

    type: Literal["DelegateConsent"]
    team: Key
    person: Key


class WithdrawConsent(Command):
    type: Literal["WithdrawConsent"]
    team: Key
    person: Key
