"""Steps 1-4: clients, pains, value propositions, strategy canvases (handled in ``domain.handlers.clients``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from domain.commands.fields import ClientKind, Command, Key, NewKey, Number, OptionalText, Personal, Text

# Step 1 and 2: clients and their pains ------------------------------------------------


class IdentifyClient(Command):
    type: Literal["IdentifyClient"]
    client: NewKey
    name: Annotated[Text, Personal("client")]
    kind: ClientKind
    description: Annotated[OptionalText, Personal("client")] = ""


class RecordPain(Command):
    type: Literal["RecordPain"]
    client: Key
    pain: NewKey
    description: Text
    severity: Annotated[StrictInt, Field(ge=1, le=5)] | None = None


# Step 3 and 4: value proposition and strategy canvas ----------------------------------


class DefineValueProposition(Command):
    type: Literal["DefineValueProposition"]
    proposition: NewKey
    client: Key
    team: Key | None = None
    statement: Text
    characteristics: list[Text] = Field(min_length=1)
    pains: list[Key] = []


class DrawStrategyCanvas(Command):
    type: Literal["DrawStrategyCanvas"]
    canvas: NewKey
    client: Key
    team: Key | None = None
    factors: list[NewKey] = Field(min_length=1)


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
