"""Steps 5-6: promises, negotiated, agreed, amended and retired."""

from __future__ import annotations

from typing import Any

from domain import commands as c
from domain.audit import Audit
from domain.metric import Metric
from domain.promise import Promise
from domain.team import Team
from domain.unit_of_work import UnitOfWork


def _check_changes(uow: UnitOfWork, changes: c.PromiseChanges) -> dict[str, Any]:
    if changes.metric is not None:
        uow.refer(Metric, changes.metric)
    if changes.promisee is not None:
        uow.require_party(changes.promisee)
    return changes.as_dict()


def propose_promise(uow: UnitOfWork, cmd: c.ProposePromise, audit: Audit) -> None:
    uow.require_absent(Promise, cmd.promise)
    uow.refer(Team, cmd.promisor)
    uow.require_party(cmd.promisee)
    uow.refer(Metric, cmd.metric)
    if cmd.parent is not None:
        uow.refer(Promise, cmd.parent)
    uow.add(Promise(
        key=cmd.promise, promisor=cmd.promisor, promisee=cmd.promisee, statement=cmd.statement,
        metric=cmd.metric, target=cmd.target, period=cmd.period, parent=cmd.parent, audit=audit,
    ))


def counter_propose(uow: UnitOfWork, cmd: c.CounterPropose, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.counter_propose(_check_changes(uow, cmd.changes), audit=audit)
    uow.add(promise)


def agree_promise(uow: UnitOfWork, cmd: c.AgreePromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.agree(audit=audit)
    uow.add(promise)


def amend_promise(uow: UnitOfWork, cmd: c.AmendPromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.amend(_check_changes(uow, cmd.changes), audit=audit)
    uow.add(promise)


def retire_promise(uow: UnitOfWork, cmd: c.RetirePromise, audit: Audit) -> None:
    promise = uow.require(Promise, cmd.promise)
    promise.retire(audit=audit)
    uow.add(promise)
