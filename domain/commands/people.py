"""docs/brief.md §5: people, the council and clients' representatives (handled in ``domain.handlers.people``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

from domain.commands.fields import Command, Key, NewKey, Personal, Text, clean_key

Email = Annotated[str, StringConstraints(strict=True, min_length=3, max_length=320,
                                         pattern=r"^[^@\s]+@[^@\s]+$"), AfterValidator(clean_key)]


class RegisterPerson(Command):
    type: Literal["RegisterPerson"]
    person: NewKey
    name: Annotated[Text, Personal("person")]
    email: Annotated[Email | None, Personal("person")] = None


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
