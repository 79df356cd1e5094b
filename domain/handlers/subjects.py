"""Whose personal data each command carries, so a batch fetches (or creates) their keys in one go."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain import commands as c
from domain.personal_data import client_subject, person_subject

SUBJECTS: dict[type[c.Command], Callable[[Any], str]] = {
    c.IdentifyClient: lambda cmd: client_subject(cmd.client),
    c.RecordFeedback: lambda cmd: client_subject(cmd.client),  # feedback text belongs to its client
    c.RegisterPerson: lambda cmd: person_subject(cmd.person),
}

PERSONAL_FIELDS: dict[type[c.Command], tuple[str, ...]] = {
    c.IdentifyClient: ("name", "description"),
    c.RecordFeedback: ("text",),
    c.RegisterPerson: ("name", "email"),
}
"""The fields each of those commands seals."""


def personal_subjects(commands: Iterable[c.Command]) -> set[str]:
    return {SUBJECTS[type(cmd)](cmd) for cmd in commands if type(cmd) in SUBJECTS}
