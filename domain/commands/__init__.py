"""Commands: the validated shape of every input line, Kafka message and CLI call.

Every command is a pydantic model so bad input is rejected at the edge with the
field and the reason, before anything touches the event store.  The ``type``
field selects the model (a discriminated union), exactly as in the JSONL format
of docs/brief.md §4.  The models live by step in this package's modules, mirrored by name by
``domain.handlers``; the union is every command a handler registered (``domain.registry``),
built on first use: the handler modules import the models, so it cannot be built at import.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from domain.commands.clients import *  # noqa: F403 - each step module's models are public names
from domain.commands.experiments import *  # noqa: F403 - each step module's models are public names
from domain.commands.fields import (  # noqa: F401 - the package's public names
    MAX_MAGNITUDE,
    ClientKind,
    Command,
    Decision,
    Direction,
    ExperimentDesign,
    FeedbackKind,
    Id,
    Key,
    LedgerKind,
    LedgerPeriod,
    NewKey,
    Number,
    OptionalText,
    Period,
    Personal,
    Rating,
    RewardVariant,
    Share,
    SplitKey,
    Text,
    UtcTime,
    personal_fields,
)
from domain.commands.money_and_feedback import *  # noqa: F403 - each step module's models are public names
from domain.commands.people import *  # noqa: F403 - each step module's models are public names
from domain.commands.promises import *  # noqa: F403 - each step module's models are public names
from domain.commands.teams import *  # noqa: F403 - each step module's models are public names
from domain.json_input import decode_json

if TYPE_CHECKING:
    AnyCommand = Command
    COMMAND_ADAPTER: TypeAdapter[Command]
    COMMAND_TYPES: tuple[str, ...]


@cache
def _union() -> tuple[Any, TypeAdapter[Any], tuple[str, ...]]:
    """(AnyCommand, its adapter, its type names), from every registered command."""
    import domain.handlers  # every handler module registers its command
    from domain.registry import REGISTRY

    if not hasattr(domain.handlers, "HANDLERS"):
        raise ImportError("the command union was asked for while the handlers were still registering: "
                          "use domain.commands.COMMAND_ADAPTER inside a function, not at import")
    models = tuple(REGISTRY)
    union = Annotated[Union[models], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
    types = tuple(model.model_fields["type"].annotation.__args__[0] for model in models)  # type: ignore[union-attr]
    return union, TypeAdapter(union), types


def __getattr__(name: str) -> Any:
    """``AnyCommand``, ``COMMAND_ADAPTER`` and ``COMMAND_TYPES``, built on first use (see the docstring)."""
    derived = ("AnyCommand", "COMMAND_ADAPTER", "COMMAND_TYPES")
    if name not in derived:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _union()[derived.index(name)]


def describe_errors(error: ValidationError) -> str:
    """One readable line naming each bad field and why."""
    command_types = _union()[2]
    parts = []
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        if loc and loc[0] in command_types:
            loc = loc[1:]  # the tag is already known from the line itself
        where = ".".join(str(p) for p in loc).encode("unicode_escape").decode("ascii") or "line"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_command(raw: str | bytes) -> Command:
    """Validate one JSON document as a command (raises ValidationError): the shared decoding of
    ``domain.json_input.decode_json`` (1 MiB cap, no repeated keys), then the command's model."""
    return decode_json(raw, _union()[1].validate_json)  # type: ignore[no-any-return]
