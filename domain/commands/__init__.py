"""Commands: the validated shape of every input line, Kafka message and CLI call.

Every command is a pydantic model so bad input is rejected at the edge with the
field and the reason, before anything touches the event store.  The ``type``
field selects the model (a discriminated union), exactly as in the JSONL format
of BRIEF §4.  The models live by step in this package's modules; this module joins them.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field, TypeAdapter, ValidationError

from domain.commands.experiments import (  # noqa: F401 - the package's public names
    ConcludeExperiment,
    ExperimentPrior,
    ProposeExperiment,
    RecordArmSummary,
    RecordErrorReview,
    RecordObservation,
    RecordProcessChange,
    StartExperiment,
    Sum,
)
from domain.commands.fields import (  # noqa: F401 - the package's public names
    MAX_MAGNITUDE,
    ClientKind,
    Command,
    Decision,
    Direction,
    ExperimentDesign,
    FeedbackKind,
    Key,
    LedgerKind,
    LedgerPeriod,
    Number,
    OptionalText,
    Period,
    Rating,
    RewardVariant,
    Share,
    SplitKey,
    Text,
    UtcTime,
)
from domain.commands.money_and_feedback import (  # noqa: F401 - the package's public names
    ChooseRewardScheme,
    FeedbackFields,
    FeedbackMessage,
    PostLedgerEntry,
    RecordFeedback,
    ResolveFeedback,
)
from domain.commands.promises import (  # noqa: F401 - the package's public names
    AcceptAmendment,
    AddMember,
    AgreePromise,
    AmendPromise,
    AppointCouncil,
    CounterPropose,
    DefineMetric,
    DismissCouncil,
    FormTeam,
    GrantAuthority,
    PromiseChanges,
    ProposeAmendment,
    ProposePromise,
    RecordReading,
    RegisterPerson,
    RemoveMember,
    RepresentClient,
    RetirePromise,
    RevokeAuthority,
    SetCommunicationRules,
)
from domain.commands.strategy import (
    ChooseUniqueFactor,
    DefineValueProposition,
    DrawStrategyCanvas,
    IdentifyClient,
    RecordPain,
    ScoreOffering,
)
from domain.json_input import decode_json

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
