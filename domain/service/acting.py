"""Commands from people: the one path every channel but the trusted import takes (API, pages).

Each command is validated exactly as ``import`` validates a line, an ``actor`` is refused (the
authenticated person is recorded as the actor), the token's scope and the permission table are
applied, and the accepted commands are recorded in one transaction, with the person as actor and
the channel (``api``, ``web``), under the ledger's one retry policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from domain import commands as c
from domain.facts import CrossIndex, UnitOfWorkFacts
from domain.handlers.money_and_feedback import promise_refusal
from domain.policy import Decision, Refused, may
from domain.service.batch import Acting, FeedbackOutcome
from domain.service.ledger import Ledger
from domain.service.tokens import Principal
from domain.service.unit_of_work import UnitOfWork

ACTOR_REFUSED = "actor: not allowed; the server records the authenticated person as the actor"
SCOPE_RULES = {
    "read": "scope: a read token may only read",
    "ingest": "scope: an ingest token may only post feedback",
}


@dataclass
class ItemResult:
    """What became of one command: accepted, skipped (its key was seen before for the same content), rejected,
    forbidden, conflict (its key was used before for other content, ``domain.service.receipts``), or withheld
    (an all-or-nothing batch in which another command was refused)."""

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


@dataclass
class CommandsRun:
    """The fate of each command, in order, and the store position of the last event written."""

    results: list[ItemResult] = field(default_factory=list)
    position: int | None = None


def scope_rule(scope: str) -> str:
    """The rule a token of ``scope`` breaks by doing what it may not."""
    return SCOPE_RULES.get(scope, f"scope: {scope}")


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
    return scope_rule(principal.scope)


def run_commands(ledger: Ledger, principal: Principal, items: list[Any], channel: str,
                 index: CrossIndex | None = None, whole: bool = False) -> CommandsRun:
    """Validate, authorise and record ``items`` (command objects) as ``principal``, through ``channel``
    (``index``: the views' answers to questions across aggregates). An exhausted retry budget raises
    the last write conflict (``domain.service.retry.is_write_conflict``). ``whole``: all or nothing (an
    upload of results): one refused item, and the others are ``withheld``, none recorded."""
    results: list[ItemResult | None] = [None] * len(items)
    commands: list[c.Command] = []
    indices: list[int] = []
    for number, item in enumerate(items):
        try:
            command = parse_item(item)
        except ValueError as error:
            results[number] = ItemResult(number, "rejected", str(error))
            continue
        refusal = scope_refusal(principal, command)
        if refusal is not None:
            results[number] = ItemResult(number, "forbidden", f"token scope {principal.scope!r} does not allow "
                                         f"{getattr(command, 'type', '')}", refusal)
            continue
        commands.append(command)
        indices.append(number)
    position = None
    withheld = whole and len(commands) < len(items)
    if withheld:
        commands = []  # refused at the edge: the rest is not even judged
    if commands:
        batch = ledger.execute(commands, acting=Acting(principal.person, channel, index), whole=whole)
        for i in batch.accepted:
            results[indices[i]] = ItemResult(indices[i], "accepted")
        for i in batch.skipped:
            results[indices[i]] = ItemResult(indices[i], "skipped")
        for i, reason in batch.rejected:
            results[indices[i]] = ItemResult(indices[i], "rejected", reason)
        for i, rule, reason in batch.forbidden:
            results[indices[i]] = ItemResult(indices[i], "forbidden", reason, rule)
        for i, reason in batch.conflicts:
            results[indices[i]] = ItemResult(indices[i], "conflict", reason)
        position, withheld = batch.position, batch.withheld
        if len(batch.accepted) == 1:
            results[indices[batch.accepted[0]]].events = batch.events  # type: ignore[union-attr]
    if withheld:
        results = [r if r is not None and r.status not in ("accepted", "skipped") else ItemResult(
            number, "withheld", "not recorded: another command of this batch was refused")
            for number, r in enumerate(results)]
    return CommandsRun([r for r in results if r is not None], position)


def decide(ledger: Ledger, principal: Principal, command: c.Command, index: CrossIndex | None = None) -> Decision:
    """Would the permission table let ``principal`` do ``command`` now? (For showing only the buttons a
    person may use; a hypothetical command may be built with ``Model.model_construct``.)"""
    refusal = scope_refusal(principal, command)
    if refusal is not None:
        return Refused(refusal, f"token scope {principal.scope!r} does not allow this")
    return may(UnitOfWorkFacts(UnitOfWork(ledger.repository), index), principal.person, command)



class FeedbackRefused(Exception):
    """A posted feedback message a person may not record: 403 naming ``rule``, or 422 (``rule`` None)."""

    def __init__(self, status: int, reason: str, rule: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.rule = status, reason, rule


def post_feedback(ledger: Ledger, principal: Principal, message: c.FeedbackMessage, channel: str,
                  index: CrossIndex | None = None) -> FeedbackOutcome:
    """One feedback message posted by ``principal`` (any scope the entrypoint let through may post it),
    recorded once by its ``feedback_id``, as theirs and through ``channel``: judged as their ``RecordFeedback``
    is (the permission table, the promise it names), though it is written by the streams' fast path."""
    uow = UnitOfWork(ledger.repository)
    command = c.RecordFeedback.model_construct(type="RecordFeedback", **dict(message))
    decision = may(UnitOfWorkFacts(uow, index), principal.person, command)
    if isinstance(decision, Refused):
        raise FeedbackRefused(403, decision.reason, decision.rule)
    refused = promise_refusal(uow, message)
    if refused is not None:
        raise FeedbackRefused(422, refused)
    return ledger.record_feedback([(message, f"{channel}:{message.feedback_id}")], None,
                                  Acting(principal.person, channel))
