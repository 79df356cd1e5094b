"""Steps 5-6: promises, negotiated, agreed, amended and retired (handled in ``domain.handlers.promises``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.commands.fields import Command, Key, NewKey, Number, Objective, Period, Text


class PromiseChanges(BaseModel):
    """The fields of a promise that negotiation or an amendment may change."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    statement: Text | None = None
    target: Number | None = None
    metric: Key | None = None
    period: Period | None = None
    promisee: Key | None = None
    objective: Objective | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> PromiseChanges:
        if not self.as_dict():
            raise ValueError("changes must name at least one of statement, target, metric, period, promisee, "
                             "objective")
        return self

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ProposePromise(Command):
    type: Literal["ProposePromise"]
    promise: NewKey
    promisor: Key
    promisee: Key
    statement: Text
    metric: Key
    target: Number
    period: Period
    parent: Key | None = None
    requires: list[Key] = Field(default=[], max_length=100)
    objective: Objective | None = None  # the share of periods to keep (docs/brief.md §9); none: no budget


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


class DeclineAmendment(Command):
    """docs/brief.md §8: the pending amendment is withdrawn; the agreed terms stay."""

    type: Literal["DeclineAmendment"]
    promise: Key
    reason: Text


class RetirePromise(Command):
    type: Literal["RetirePromise"]
    promise: Key
    reason: Text
