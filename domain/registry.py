"""One place per command: its model, its handler and its permission rule, declared together.

A handler module (``domain.handlers.X``, mirroring ``domain.commands.X`` by name) declares each
handler with ``@handles(Model, rule=RULE)``; every table that used to be kept beside it by hand is
derived from that one registration: the command union (``domain.commands.AnyCommand``),
``domain.handlers.HANDLERS``, ``domain.policy.RULES``, and, from the model's fields marked
``Personal``, the sealing lists: which subjects' keys a batch needs, which fields a command seals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from pydantic import BaseModel

from domain.audit import Audit
from domain.commands.fields import Command, personal_fields
from domain.policy import RULES, Rule
from domain.service.unit_of_work import UnitOfWork

C = TypeVar("C", bound=Command)
Handler = Callable[[UnitOfWork, Any, Audit], None]


@dataclass(frozen=True)
class Registration:
    model: type[Command]
    handler: Handler
    """The function as written beside the model."""
    rule: Rule
    handle: Handler
    """The handler as called (``HANDLERS``): the command's personal fields sealed first (``sealing``)."""


def sealing(handler: Handler) -> Handler:
    """``handler``, given its command with the fields marked ``Personal`` sealed under their subjects' keys:
    a handler never sees (so never stores) personal text in the clear."""

    @wraps(handler)
    def handle(uow: UnitOfWork, command: Command, audit: Audit) -> None:
        personal = personal_fields(type(command))
        if personal:
            command = command.model_copy(update={
                name: uow.sealer.seal_optional(mark.subject_of(command), getattr(command, name))
                for name, mark in personal.items()
            })
        handler(uow, command, audit)

    return handle


REGISTRY: dict[type[Command], Registration] = {}
"""Every command type and its registration, filled as the handler modules are imported (``domain.handlers``)."""


def handles(model: type[C], *, rule: Rule) -> Callable[[Callable[[UnitOfWork, C, Audit], None]],
                                                      Callable[[UnitOfWork, C, Audit], None]]:
    """Register the decorated function as the one handler of ``model``, allowed by ``rule``."""

    def register(handler: Callable[[UnitOfWork, C, Audit], None]) -> Callable[[UnitOfWork, C, Audit], None]:
        if model in REGISTRY:
            raise TypeError(f"{model.__name__} already has a handler, {REGISTRY[model].handler.__qualname__}")
        REGISTRY[model] = Registration(model, handler, rule, sealing(handler) if personal_fields(model) else handler)
        RULES[model] = rule
        return handler

    return register


def personal_subjects(commands: Iterable[BaseModel]) -> set[str]:
    """The data subjects whose keys a batch needs: those of every field marked ``Personal``."""
    return {mark.subject_of(cmd) for cmd in commands for mark in personal_fields(type(cmd)).values()}
