"""Commands: the validated shape of every input line, Kafka message and CLI call.

Every command is a pydantic model so bad input is rejected at the edge with the
field and the reason, before anything touches the event store.  The ``type``
field selects the model (a discriminated union), exactly as in the JSONL format
of BRIEF §4.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from domain.business_time import BUSINESS_TIME_MAX, BUSINESS_TIME_MIN, business_time
from domain.json_input import decode_json

MAX_MAGNITUDE = 1e15
"""Every number's absolute value is at most 10^15 (a quadrillion): sums and means of a store's
worth of them stay finite and exact to the cent, so projections never overflow."""


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError("must be at most 1e15 in absolute value")
    return float(value)


def _time_text(value: Any) -> Any:
    """Times are ISO-8601 text; a bare number (Unix seconds? milliseconds?) is too easy to misread."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be ISO-8601 text such as 2026-03-01T09:00:00Z, not a number")
    return value


_KEY_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TEXT_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def _clean_key(value: str) -> str:
    """Keys name things in commands, URLs and terminals: no control characters at all."""
    found = _KEY_FORBIDDEN.search(value)
    if found:
        raise ValueError(f"must not contain control characters (found U+{ord(found.group()):04X})")
    return value


def _clean_text(value: str) -> str:
    """Free text may hold newlines and tabs, never NUL (PostgreSQL text cannot) or lone surrogates."""
    found = _TEXT_FORBIDDEN.search(value)
    if found:
        raise ValueError(f"must not contain U+{ord(found.group()):04X}")
    return value


UtcTime = Annotated[datetime, BeforeValidator(_time_text), AfterValidator(business_time)]
Key = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200),
                AfterValidator(_clean_key)]
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=4000),
                 AfterValidator(_clean_text)]
OptionalText = Annotated[str, StringConstraints(strict=True, max_length=4000), AfterValidator(_clean_text)]
Number = Annotated[float, Field(strict=True), AfterValidator(_finite)]
Share = Annotated[Number, Field(ge=0, le=1)]
Rating = Annotated[Number, Field(ge=0, le=10)]

ClientKind = Literal["external", "internal", "partner"]
Direction = Literal["higher_is_better", "lower_is_better"]
Period = Literal["day", "week", "month"]
FeedbackKind = Literal["complaint", "praise", "rating", "suggestion"]
LedgerKind = Literal["revenue", "cost"]
RewardVariant = Literal[
    "team_net_profit_share", "company_profit_share", "base_plus_team_bonus", "fixed_pay"
]
SplitKey = Literal["equal", "hours", "base_pay"]
ExperimentDesign = Literal["ab", "before_after"]
Decision = Literal["adopt", "reject", "iterate"]
_LEDGER_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def _ledger_period(value: str) -> str:
    """``YYYY-MM``, a month inside business time (1970-01 to 2199-12)."""
    match = _LEDGER_PERIOD.fullmatch(value)
    if match is None:
        raise ValueError("must match the pattern YYYY-MM (a month, e.g. 2026-03)")
    if not BUSINESS_TIME_MIN.year <= int(match.group(1)) < BUSINESS_TIME_MAX.year:
        raise ValueError("must be a month from 1970-01 to 2199-12")
    return value


LedgerPeriod = Annotated[str, StringConstraints(strict=True), AfterValidator(_ledger_period)]


class Command(BaseModel):
    """Fields every command may carry: its idempotency key and audit metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: Key | None = None
    at: UtcTime | None = None
    actor: Key | None = None
    reason: OptionalText | None = None


# Step 1 and 2: clients and their pains ------------------------------------------------


class IdentifyClient(Command):
    type: Literal["IdentifyClient"]
    client: Key
    name: Text
    kind: ClientKind
    description: OptionalText = ""


class RecordPain(Command):
    type: Literal["RecordPain"]
    client: Key
    pain: Key
    description: Text
    severity: Annotated[StrictInt, Field(ge=1, le=5)] | None = None


# Step 3 and 4: value proposition and strategy canvas ----------------------------------


class DefineValueProposition(Command):
    type: Literal["DefineValueProposition"]
    proposition: Key
    client: Key
    team: Key | None = None
    statement: Text
    characteristics: list[Text] = Field(min_length=1)
    pains: list[Key] = []


class DrawStrategyCanvas(Command):
    type: Literal["DrawStrategyCanvas"]
    canvas: Key
    client: Key
    team: Key | None = None
    factors: list[Key] = Field(min_length=1)


class ScoreOffering(Command):
    type: Literal["ScoreOffering"]
    canvas: Key
    offering: Key
    ours: bool = False
    scores: dict[Key, Annotated[Number, Field(ge=0, le=10)]] = Field(min_length=1)


class ChooseUniqueFactor(Command):
    type: Literal["ChooseUniqueFactor"]
    canvas: Key
    factor: Key


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
                                            pattern=r"^[^@\s]+@[^@\s]+$"), AfterValidator(_clean_key)] | None = None


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


# Step 9: experiments and improvement -------------------------------------------------


class ExperimentPrior(BaseModel):
    """A proper normal prior on the relative lift for the Bayesian engine (default: improper, flat)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    mean: Number = 0.0
    stddev: Annotated[Number, Field(gt=0)]


class ProposeExperiment(Command):
    type: Literal["ProposeExperiment"]
    experiment: Key
    team: Key
    hypothesis: Text
    metric: Key
    design: ExperimentDesign
    promise: Key | None = None
    # The analysis plan (BRIEF §6); the first arm is the control.
    arms: list[Key] = Field(default=["control", "treatment"], min_length=2, max_length=26)
    weights: list[Annotated[Number, Field(gt=0)]] | None = None
    alpha: Annotated[Number, Field(gt=0, lt=1)] = 0.05
    mde: Annotated[Number, Field(gt=0)] | None = None
    power: Annotated[Number, Field(gt=0, lt=1)] = 0.8
    engine: Literal["frequentist", "bayesian"] = "frequentist"
    sequential: bool = False
    tuning: Annotated[Number, Field(ge=1)] = 5000.0
    correction: Literal["holm", "benjamini_hochberg", "none"] = "holm"
    guardrails: list[Key] = []
    kind: Literal["mean", "proportion"] = "mean"
    non_inferiority_margin: Annotated[Number, Field(gt=0)] | None = None
    prior: ExperimentPrior | None = None

    @model_validator(mode="after")
    def _consistent_plan(self) -> ProposeExperiment:
        if len(set(self.arms)) != len(self.arms):
            raise ValueError("arms must be distinct")
        if self.weights is not None and len(self.weights) != len(self.arms):
            raise ValueError(f"weights must have one entry per arm ({len(self.arms)})")
        if self.metric in self.guardrails:
            raise ValueError("the primary metric cannot also be a guardrail")
        return self

    def plan(self) -> dict[str, Any]:
        """The analysis plan as stored with the Proposed event."""
        return self.model_dump(mode="json", include={
            "arms", "weights", "alpha", "mde", "power", "engine", "sequential", "tuning", "correction",
            "guardrails", "kind", "non_inferiority_margin", "prior",
        })


class StartExperiment(Command):
    type: Literal["StartExperiment"]
    experiment: Key


class RecordObservation(Command):
    type: Literal["RecordObservation"]
    experiment: Key
    arm: Key  # one of the experiment's arms (checked against it)
    value: Number
    metric: Key | None = None  # default: the experiment's primary metric
    covariate: Number | None = None  # the unit's pre-period value, for CUPED


def _summable(value: float) -> float:
    """Sums of many values may exceed the per-value bound, but must stay far from overflow."""
    if not math.isfinite(value) or abs(value) > 1e300:
        raise ValueError("must be a finite number of at most 1e300 in absolute value")
    return float(value)


Sum = Annotated[float, Field(strict=True), AfterValidator(_summable)]


class RecordArmSummary(Command):
    """Sufficient statistics of one arm, as analytics tools export them."""

    type: Literal["RecordArmSummary"]
    experiment: Key
    arm: Key
    metric: Key | None = None
    n: Annotated[StrictInt, Field(ge=1, le=10**12)]
    sum: Sum
    sum_squares: Annotated[Sum, Field(ge=0)]
    covariate_sum: Sum | None = None
    covariate_sum_squares: Annotated[Sum, Field(ge=0)] | None = None
    cross_sum: Sum | None = None

    @model_validator(mode="after")
    def _covariate_sums_together(self) -> RecordArmSummary:
        given = [v is not None for v in (self.covariate_sum, self.covariate_sum_squares, self.cross_sum)]
        if any(given) and not all(given):
            raise ValueError("covariate_sum, covariate_sum_squares and cross_sum go together")
        return self


class ConcludeExperiment(Command):
    type: Literal["ConcludeExperiment"]
    experiment: Key
    decision: Decision
    learning: Text


class RecordErrorReview(Command):
    type: Literal["RecordErrorReview"]
    review: Key
    team: Key
    what_happened: Text
    cause: Text
    lesson: Text
    promise: Key | None = None


class RecordProcessChange(Command):
    type: Literal["RecordProcessChange"]
    change: Key
    team: Key
    description: Text
    experiment: Key | None = None
    review: Key | None = None


AnyCommand = Annotated[
    Union[  # noqa: UP007 - a discriminated union needs the Union form
        IdentifyClient,
        RecordPain,
        DefineValueProposition,
        DrawStrategyCanvas,
        ScoreOffering,
        ChooseUniqueFactor,
        FormTeam,
        AddMember,
        RemoveMember,
        SetCommunicationRules,
        GrantAuthority,
        RevokeAuthority,
        DefineMetric,
        ProposePromise,
        CounterPropose,
        AgreePromise,
        AmendPromise,
        ProposeAmendment,
        AcceptAmendment,
        RetirePromise,
        RecordReading,
        RecordFeedback,
        ResolveFeedback,
        PostLedgerEntry,
        ChooseRewardScheme,
        ProposeExperiment,
        StartExperiment,
        RecordObservation,
        RecordArmSummary,
        ConcludeExperiment,
        RecordErrorReview,
        RecordProcessChange,
        RegisterPerson,
        AppointCouncil,
        DismissCouncil,
        RepresentClient,
    ],
    Field(discriminator="type"),
]

COMMAND_ADAPTER: TypeAdapter[AnyCommand] = TypeAdapter(AnyCommand)
COMMAND_TYPES: tuple[str, ...] = tuple(
    model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for model in AnyCommand.__origin__.__args__  # type: ignore[attr-defined]
)


def describe_errors(error: ValidationError) -> str:
    """One readable line naming each bad field and why."""
    parts = []
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        if loc and loc[0] in COMMAND_TYPES:
            loc = loc[1:]  # the tag is already known from the line itself
        where = ".".join(str(p) for p in loc).encode("unicode_escape").decode("ascii") or "line"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_command(raw: str | bytes) -> AnyCommand:
    """Validate one JSON document as a command (raises ValidationError): the shared decoding of
    ``domain.json_input.decode_json`` (1 MiB cap, no repeated keys), then the command's model."""
    return decode_json(raw, COMMAND_ADAPTER.validate_json)
