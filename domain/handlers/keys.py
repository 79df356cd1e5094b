"""Keys for entities that have no business key of their own."""

from __future__ import annotations

import uuid

from domain.base import DomainError, LedgerAggregate
from domain.commands.fields import Command
from domain.service.unit_of_work import UnitOfWork


def new_key(uow: UnitOfWork, cmd: Command, cls: type[LedgerAggregate]) -> str:
    """Entities without a business key (readings, ledger entries, observations) take the line id, or a fresh one.

    A line id belongs to its sender (``domain.service.receipts``): the operator's name the entity as
    they are (as they always did); a person's are prefixed with the person (``ann/r1``). The operator's id
    ``ann/r1`` names the same entity as ann's ``r1``: a key with a ``/`` is refused when taken (the second
    insert clashed in the store, was retried as a write conflict and then failed its whole batch: an import's
    chunk, or every retry of ann's array). Keys without one (the bulk of an import) cost no lookup."""
    if not cmd.id:
        return uuid.uuid4().hex
    key = cmd.id if uow.id_scope is None else f"{uow.id_scope}/{cmd.id}"
    if "/" in key and uow.find(cls, key) is not None:
        raise DomainError(f"{cls.KIND} {key!r} already exists: id {cmd.id!r} names a record another sender made; "
                          "use another id")
    return key
