"""Steps 5-6: promises, negotiated, agreed, amended and retired."""

from __future__ import annotations

from typing import Any

from domain.audit import Audit
from domain.base import DomainError, MissingAuthority
from domain.commands.promises import (
    AcceptAmendment,
    AgreePromise,
    AmendPromise,
    CounterPropose,
    DeclineAmendment,
    PromiseChanges,
    ProposeAmendment,
    ProposePromise,
    RetirePromise,
)
from domain.metric import Metric
from domain.policy import (
    EITHER_SIDE,
    NEGOTIATING_SIDE,
    NOBODY,
    OTHER_SIDE_ACCEPTS,
    OTHER_SIDE_AGREES,
    OTHER_SIDE_OR_PROPOSER_DECLINES,
    PROMISOR_LEAD_OR_PROMISEE,
    PROMISOR_MEMBER,
)
from domain.promise import Promise
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.sides import other, proposing_side
from domain.team import Team


def _check_changes(uow: UnitOfWork, changes: PromiseChanges) -> dict[str, Any]:
    if changes.metric is not None:
        uow.refer(Metric, changes.metric)
    if changes.promisee is not None:
        uow.require_party(changes.promisee)
    return changes.as_dict()


@handles(ProposePromise, rule=PROMISOR_MEMBER)
def propose_promise(uow: UnitOfWork, cmd: ProposePromise, audit: Audit) -> None:
    uow.require_absent(Promise, cmd.promise)
    uow.refer(Team, cmd.promisor)
    uow.require_party(cmd.promisee)
    uow.refer(Metric, cmd.metric)
    if cmd.parent is not None:
        uow.refer(Promise, cmd.parent)
    uow.add(Promise(
        key=cmd.promise, promisor=cmd.promisor, promisee=cmd.promisee, statement=cmd.statement,
        metric=cmd.metric, target=cmd.target, period=cmd.period, parent=cmd.parent,
        requires=list(dict.fromkeys(cmd.requires)), audit=audit,
    ))


@handles(CounterPropose, rule=NEGOTIATING_SIDE)
def counter_propose(uow: UnitOfWork, cmd: CounterPropose, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    # Without a known proposer (the operator's import), counter-proposals alternate between the sides.
    side = proposing_side(uow, audit.actor, promise, default=other(promise.proposal_side))
    promise.counter_propose(_check_changes(uow, cmd.changes), side=side, audit=audit)
    uow.add(promise)


def require_authorities(uow: UnitOfWork, promise: Promise) -> None:
    """Step 5: the promisor team must hold every authority the promise requires, now."""
    team = uow.require(Team, promise.promisor)
    missing = [a for a in promise.requires if a not in team.authorities]
    if missing:
        raise MissingAuthority(
            f"promise {promise.key} requires authority {', '.join(repr(a) for a in missing)}, which team "
            f"{team.key} does not hold"
        )


@handles(AgreePromise, rule=OTHER_SIDE_AGREES)
def agree_promise(uow: UnitOfWork, cmd: AgreePromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    if promise.status == "proposed":
        require_authorities(uow, promise)
    promise.agree(audit=audit)
    uow.add(promise)


@handles(ProposeAmendment, rule=EITHER_SIDE)
def propose_amendment(uow: UnitOfWork, cmd: ProposeAmendment, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    side = proposing_side(uow, audit.actor, promise, default=None)
    promise.propose_amendment(_check_changes(uow, cmd.changes), side=side, audit=audit)
    uow.add(promise)


@handles(AcceptAmendment, rule=OTHER_SIDE_ACCEPTS)
def accept_amendment(uow: UnitOfWork, cmd: AcceptAmendment, audit: Audit) -> None:
    """The pending amendment becomes the promise's new version, in force from this acceptance."""
    promise = uow.require(Promise, cmd.promise)
    pending = promise.pending_amendment
    if pending is None:
        raise DomainError(f"promise {promise.key} has no amendment waiting to be accepted")
    require_authorities(uow, promise)
    accepted = Audit(at=audit.at, actor=audit.actor, reason=audit.reason or pending["reason"],
                     correlation=audit.correlation, channel=audit.channel)
    promise.amend(dict(pending["changes"]), audit=accepted)
    uow.add(promise)


@handles(AmendPromise, rule=NOBODY)
def amend_promise(uow: UnitOfWork, cmd: AmendPromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.amend(_check_changes(uow, cmd.changes), audit=audit)
    uow.add(promise)


@handles(DeclineAmendment, rule=OTHER_SIDE_OR_PROPOSER_DECLINES)
def decline_amendment(uow: UnitOfWork, cmd: DeclineAmendment, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.decline_amendment(audit=audit)
    uow.add(promise)


@handles(RetirePromise, rule=PROMISOR_LEAD_OR_PROMISEE)
def retire_promise(uow: UnitOfWork, cmd: RetirePromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.retire(audit=audit)
    uow.add(promise)
