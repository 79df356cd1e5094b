"""Keys for entities that have no business key of their own."""

from __future__ import annotations

import uuid

from domain.commands.fields import Command


def new_key(cmd: Command) -> str:
    """Entities without a business key (readings, ledger entries) take the line id, or a fresh one."""
    return cmd.id or uuid.uuid4().hex
