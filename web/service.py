"""Commands from people: the one path every channel but the trusted import takes (API and web forms).

It validates each command exactly as ``import`` does, refuses an ``actor`` (the server records
the authenticated person), applies the token's scope and the permission table, and records the
accepted ones in one transaction with the person as actor and the channel (``api``, ``web``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError, OperationalError
from pydantic import ValidationError

from domain import commands as c
from domain.facts import UnitOfWorkFacts
from domain.policy import Decision, Refused, may
from domain.service.ledger import Acting
from domain.service.unit_of_work import UnitOfWork
from domain.service.write_conflicts import is_write_conflict
from domain.tokens import Principal
from web.auth import SCOPE_RULES, ApiError
from web.server import Server

T = TypeVar("T")
CONFLICT_ATTEMPTS = 8
ACTOR_REFUSED = "actor: not allowed; the server records the authenticated person as the actor"


@dataclass
class ItemResult:
    """What became of one command: accepted, skipped (its id was seen before), rejected or forbidden."""

    index: int
    status: str
    reason: str | None = None
    rule: str | None = None
    events: int = 0

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.reason is not None:
            found["reason"] = self.reason
        if self.rule is not None:
            found["rule"] = self.rule
        return found


def parse_item(item: Any) -> c.Command:
    """One command object, validated like an import line (raises ValueError with a readable reason)."""
    if not isinstance(item, dict):
        raise ValueError("a command must be a JSON object with a type")
    if "actor" in item:
        raise ValueError(ACTOR_REFUSED)
    try:
        return c.parse_command(json.dumps(item))
    except ValidationError as error:
        raise ValueError(f"{item.get('type', '')}: {c.describe_errors(error)}".lstrip(": ")) from None


def scope_refusal(principal: Principal, command: c.Command) -> str | None:
    """The scope rule a command breaks: read tokens only read, ingest tokens only post feedback."""
    if principal.scope == "write":
        return None
    if principal.scope == "ingest" and isinstance(command, c.RecordFeedback):
        return None
    return SCOPE_RULES.get(principal.scope, f"scope: {principal.scope}")


def run_commands(server: Server, principal: Principal, items: list[Any], channel: str) -> list[ItemResult]:
    """Validate, authorise and record ``items`` (command objects) as ``principal``, through ``channel``."""
    results: list[ItemResult | None] = [None] * len(items)
    commands: list[c.Command] = []
    indices: list[int] = []
    for index, item in enumerate(items):
        try:
            command = parse_item(item)
        except ValueError as error:
            results[index] = ItemResult(index, "rejected", str(error))
            continue
        refusal = scope_refusal(principal, command)
        if refusal is not None:
            results[index] = ItemResult(index, "forbidden", f"token scope {principal.scope!r} does not allow "
                                        f"{getattr(command, 'type', '')}", refusal)
            continue
        commands.append(command)
        indices.append(index)
    if commands:
        acting = Acting(principal.person, channel, server.index)
        batch = persisting(lambda: server.ledger.execute(commands, acting=acting))
        for i in batch.accepted:
            results[indices[i]] = ItemResult(indices[i], "accepted")
        for i in batch.skipped:
            results[indices[i]] = ItemResult(indices[i], "skipped")
        for i, reason in batch.rejected:
            results[indices[i]] = ItemResult(indices[i], "rejected", reason)
        for i, rule, reason in batch.forbidden:
            results[indices[i]] = ItemResult(indices[i], "forbidden", reason, rule)
        server.views.note_written(batch.position)
        if len(batch.accepted) == 1:
            results[indices[batch.accepted[0]]].events = batch.events  # type: ignore[union-attr]
    return [r for r in results if r is not None]


def persisting(write: Callable[[], T]) -> T:
    """``write`` (which re-reads and re-decides) until it wins its race with other writers.

    The ledger already retries a few times; many people acting on one promise at once can still
    lose more often than that, so a person's request keeps trying (with jitter) a while longer,
    and only then is answered 409."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            return write()
        except (IntegrityError, OperationalError) as error:
            if not is_write_conflict(error):
                raise
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
    raise ApiError(409, "write conflict: others kept changing the same records; try again")


def decide(server: Server, principal: Principal, command: c.Command) -> Decision:
    """Would the permission table let ``principal`` do ``command`` now? (For showing only the buttons a
    person may use; a hypothetical command may be built with ``Model.model_construct``.)"""
    refusal = scope_refusal(principal, command)
    if refusal is not None:
        return Refused(refusal, f"token scope {principal.scope!r} does not allow this")
    facts = UnitOfWorkFacts(UnitOfWork(server.ledger.repository), server.index)
    return may(facts, principal.person, command)
