"""Client feedback and step 7's ledger entries."""

from __future__ import annotations

from domain.audit import Audit
from domain.commands.money_and_feedback import PostLedgerEntry, RecordFeedback, ResolveFeedback
from domain.economics import LedgerEntry
from domain.feedback import Feedback, feedback_fields
from domain.handlers.keys import new_key
from domain.policy import ANYONE, COUNCIL, FEEDBACK_TEAM
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.team import Team


@handles(RecordFeedback, rule=ANYONE)
def record_feedback(uow: UnitOfWork, cmd: RecordFeedback, audit: Audit) -> None:
    uow.add(Feedback(audit=audit, **feedback_fields(cmd)))


@handles(ResolveFeedback, rule=FEEDBACK_TEAM)
def resolve_feedback(uow: UnitOfWork, cmd: ResolveFeedback, audit: Audit) -> None:
    feedback = uow.require(Feedback, cmd.feedback_id)
    feedback.resolve(cmd.resolution, audit=audit)
    uow.add(feedback)


@handles(PostLedgerEntry, rule=COUNCIL)
def post_ledger_entry(uow: UnitOfWork, cmd: PostLedgerEntry, audit: Audit) -> None:
    uow.refer(Team, cmd.team)
    uow.add(LedgerEntry(
        key=new_key(uow, cmd), team=cmd.team, period=cmd.period, kind=cmd.kind, amount=cmd.amount,
        description=cmd.description, audit=audit,
    ))
