"""Steps 5-6 and BRIEF §5: teams, authority, metrics, promises, people and roles."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.commands.fields import Command, Direction, Key, Number, Period, Text, UtcTime, clean_key

# Step 5 and 6: teams, authority, promises ---------------------------------------------


class FormTeam(Command):
    type: Literal["FormTeam"]
    team: Key
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


class SetCommunicationRules(Command):
    type: Literal["SetCommunicationRules"]
    team: Key
    rules: list[Text] = Field(min_length=1)


class GrantAuthority(Command):
    type: Literal["GrantAuthority"]
    team: Key
    authority: Key
    description: Text


class RevokeAuthority(Command):
    type: Literal["RevokeAuthority"]
    team: Key
    authority: Key
    reason: Text  # revoking authority always says why


class DefineMetric(Command):
    type: Literal["DefineMetric"]
    metric: Key
    name: Text
    unit: Key
    direction: Direction


class PromiseChanges(BaseModel):
    """The fields of a promise that negotiation or an amendment may change."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    statement: Text | None = None
    target: Number | None = None
    metric: Key | None = None
    period: Period | None = None
    promisee: Key | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> PromiseChanges:
        if not self.as_dict():
            raise ValueError("changes must name at least one of statement, target, metric, period, promisee")
        return self

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ProposePromise(Command):
    type: Literal["ProposePromise"]
    promise: Key
    promisor: Key
    promisee: Key
    statement: Text
    metric: Key
    target: Number
    period: Period
    parent: Key | None = None
    requires: list[Key] = Field(default=[], max_length=100)


class CounterPropose(Command):
    type: Literal["CounterPropose"]
    promise: Key
    changes: PromiseChanges


class AgreePromise(Command):
    type: Literal["AgreePromise"]
    promise: Key


class AmendPromise(Command):
    type: Literal["AmendPromise"]
    promise: Key
    changes: PromiseChanges
    reason: Text  # an amendment always says why


class ProposeAmendment(Command):
    type: Literal["ProposeAmendment"]
    promise: Key
    changes: PromiseChanges
    reason: Text


class AcceptAmendment(Command):
    type: Literal["AcceptAmendment"]
    promise: Key


class RetirePromise(Command):
    type: Literal["RetirePromise"]
    promise: Key
    reason: Text


class RecordReading(Command):
    type: Literal["RecordReading"]
    metric: Key
    value: Number
    at: UtcTime  # a reading always says when it was taken


# People and roles (BRIEF §5) ---------------------------------------------------------


class RegisterPerson(Command):
    type: Literal["RegisterPerson"]
    person: Key
    name: Text
    email: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=3, max_length=320,
                                            pattern=r"^[^@\s]+@[^@\s]+$"), AfterValidator(clean_key)] | None = None


class AppointCouncil(Command):
    type: Literal["AppointCouncil"]
    person: Key


class DismissCouncil(Command):
    type: Literal["DismissCouncil"]
    person: Key


class RepresentClient(Command):
    type: Literal["RepresentClient"]
    client: Key
    person: Key
