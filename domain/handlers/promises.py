"""Steps 5-6: promises, negotiated, agreed, amended and retired."""

from __future__ import annotations

from typing import Any

from domain.audit import TRUSTED_CHANNEL, Audit
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
    EITHER_SIDE_CONSENTS,
    NEGOTIATING_SIDE,
    NOBODY,
    PROMISOR_MEMBER,
    PROPOSER_OR_EITHER_SIDE_CONSENTS,
    WAITING_SIDE_CONSENTS,
)
from domain.promise import Promise
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.sides import consent_of, may_consent_for_team, other, proposing_side
from domain.team import Team


def _check_changes(uow: UnitOfWork, promise: Promise, changes: PromiseChanges) -> dict[str, Any]:
    """The changes as stored, once they name only what exists and keep the parties (docs/brief.md §10: another
    promisee is another promise, to be proposed as one; the promisor is not a term that changes at all)."""
    if changes.promisee is not None and changes.promisee != promise.promisee:
        raise DomainError(
            f"changes.promisee: promise {promise.key} is made to {promise.promisee}; a counter-proposal or amendment "
            f"cannot change who the promisee is (a promise to {changes.promisee} is a new promise: propose it)"
        )
    if changes.metric is not None:
        uow.refer(Metric, changes.metric)
    return changes.as_dict()


def _consent_carried(uow: UnitOfWork, audit: Audit, promise: Promise, side: str | None) -> list[str]:
    """The consent a proposal for ``side`` brings: its side's, when its proposer may consent for it."""
    return sorted(consent_of(uow, audit, promise, {side})) if side is not None else []


def _consent(uow: UnitOfWork, audit: Audit, promise: Promise) -> bool:
    """Record the consent of the sides the actor answers for to the terms on the table; True once both
    sides consented (the terms come into force: the caller records that), False after a ``Consented``."""
    waiting = promise.waiting_sides()
    given = consent_of(uow, audit, promise, waiting)
    if not given:
        raise DomainError(f"promise {promise.key}: {audit.actor} may not consent for the side(s) still awaited "
                          f"({', '.join(sorted(waiting))})")
    if given == waiting:
        return True
    for side in sorted(given):
        promise.consent(side, audit=audit)
    return False


@handles(ProposePromise, rule=PROMISOR_MEMBER)
def propose_promise(uow: UnitOfWork, cmd: ProposePromise, audit: Audit) -> None:
    uow.require_absent(Promise, cmd.promise)
    uow.refer(Team, cmd.promisor)
    uow.require_party(cmd.promisee)
    uow.refer(Metric, cmd.metric)
    if cmd.parent is not None:
        uow.refer(Promise, cmd.parent)
    consents = audit.source == TRUSTED_CHANNEL or may_consent_for_team(uow, audit.actor or "", cmd.promisor)
    uow.add(Promise(
        key=cmd.promise, promisor=cmd.promisor, promisee=cmd.promisee, statement=cmd.statement,
        metric=cmd.metric, target=cmd.target, period=cmd.period, parent=cmd.parent,
        requires=list(dict.fromkeys(cmd.requires)), consented=["promisor"] if consents else [], audit=audit,
        objective=cmd.objective,
    ))


@handles(CounterPropose, rule=NEGOTIATING_SIDE)
def counter_propose(uow: UnitOfWork, cmd: CounterPropose, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    # Without a known proposer (the operator's import), counter-proposals alternate between the sides.
    side = proposing_side(uow, audit.actor, promise, default=other(promise.proposal_side))
    promise.counter_propose(_check_changes(uow, promise, cmd.changes), side=side,
                            consented=_consent_carried(uow, audit, promise, side), audit=audit)
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


@handles(AgreePromise, rule=WAITING_SIDE_CONSENTS)
def agree_promise(uow: UnitOfWork, cmd: AgreePromise, audit: Audit) -> None:
    """This side's consent to the proposal on the table: the promise is agreed once both sides consented."""
    promise = uow.require(Promise, cmd.promise)
    if promise.status != "proposed" or _consent(uow, audit, promise):
        if promise.status == "proposed":
            require_authorities(uow, promise)
        promise.agree(audit=audit)  # (it says why when the promise is not proposed)
    uow.add(promise)


@handles(ProposeAmendment, rule=EITHER_SIDE)
def propose_amendment(uow: UnitOfWork, cmd: ProposeAmendment, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    pending = promise.pending_amendment
    if pending is not None and promise.status == "agreed":
        raise DomainError(
            f"promise {promise.key} already has an amendment awaiting an answer (proposed by "
            f"{pending['by'] or 'the operator'}: {pending['changes']}); it must be accepted or declined first"
        )
    side = proposing_side(uow, audit.actor, promise, default=None)
    promise.propose_amendment(_check_changes(uow, promise, cmd.changes), side=side,
                              consented=_consent_carried(uow, audit, promise, side), audit=audit)
    uow.add(promise)


@handles(AcceptAmendment, rule=WAITING_SIDE_CONSENTS)
def accept_amendment(uow: UnitOfWork, cmd: AcceptAmendment, audit: Audit) -> None:
    """This side's consent to the pending amendment: once both sides consented, it becomes the promise's new
    version, in force from this acceptance."""
    promise = uow.require(Promise, cmd.promise)
    pending = promise.pending_amendment
    if pending is None:
        raise DomainError(f"promise {promise.key} has no amendment waiting to be accepted")
    if not _consent(uow, audit, promise):
        uow.add(promise)
        return
    require_authorities(uow, promise)
    accepted = Audit(at=audit.at, actor=audit.actor, reason=audit.reason or pending["reason"],
                     correlation=audit.correlation, channel=audit.channel)
    promise.amend(dict(pending["changes"]), audit=accepted)
    uow.add(promise)


@handles(AmendPromise, rule=NOBODY)
def amend_promise(uow: UnitOfWork, cmd: AmendPromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.amend(_check_changes(uow, promise, cmd.changes), audit=audit)
    uow.add(promise)


@handles(DeclineAmendment, rule=PROPOSER_OR_EITHER_SIDE_CONSENTS)
def decline_amendment(uow: UnitOfWork, cmd: DeclineAmendment, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.decline_amendment(audit=audit)
    uow.add(promise)


@handles(RetirePromise, rule=EITHER_SIDE_CONSENTS)
def retire_promise(uow: UnitOfWork, cmd: RetirePromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.retire(audit=audit)
    uow.add(promise)
