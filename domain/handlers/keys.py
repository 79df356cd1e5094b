"""Keys for entities that have no business key of their own."""

from __future__ import annotations

import uuid

from domain.commands.fields import Command
from domain.service.unit_of_work import UnitOfWork


def new_key(uow: UnitOfWork, cmd: Command) -> str:
    """Entities without a business key (readings, ledger entries) take the line id, or a fresh one.

    A line id belongs to its sender (``domain.service.receipts``): the operator's name the entity as
    they are (as they always did); a person's are prefixed with the person (``ann/r1``), so another
    sender's id can never name an entity that already exists."""
    if not cmd.id:
        return uuid.uuid4().hex
    return cmd.id if uow.id_scope is None else f"{uow.id_scope}/{cmd.id}"
