"""The server's way onto the service's command path (``domain.service.acting``): its ledger, its views
for the questions across aggregates and for read-your-writes, and a lost race answered 409."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, OperationalError

from domain import commands as c
from domain.policy import Decision
from domain.service import acting
from domain.service.acting import ItemResult
from domain.service.retry import is_write_conflict
from domain.service.tokens import Principal
from web.auth import ApiError
from web.server import Server

__all__ = ["ItemResult", "decide", "run_commands"]


def run_commands(server: Server, principal: Principal, items: list[object], channel: str,
                 whole: bool = False) -> list[ItemResult]:
    """Validate, authorise and record ``items`` as ``principal`` (``whole``: all or none); this server's next
    read sees them."""
    try:
        run = acting.run_commands(server.ledger, principal, list(items), channel, server.index, whole)
    except (IntegrityError, OperationalError) as error:
        if not is_write_conflict(error):
            raise
        raise ApiError(409, "write conflict: others kept changing the same records; try again") from None
    server.views.note_written(run.position)
    return run.results


def decide(server: Server, principal: Principal, command: c.Command) -> Decision:
    """Would the permission table let ``principal`` do ``command`` now? (see ``acting.decide``)"""
    return acting.decide(server.ledger, principal, command, server.index)
