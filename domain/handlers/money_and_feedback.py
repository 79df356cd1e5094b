"""Client feedback and step 7's ledger entries."""

from __future__ import annotations

from domain import commands as c
from domain.audit import Audit
from domain.economics import LedgerEntry
from domain.feedback import Feedback, feedback_fields
from domain.handlers.keys import new_key
from domain.personal_data import client_subject
from domain.service.unit_of_work import UnitOfWork
from domain.team import Team


def record_feedback(uow: UnitOfWork, cmd: c.RecordFeedback, audit: Audit) -> None:
    fields = feedback_fields(cmd)
    fields["text"] = uow.sealer.seal(client_subject(cmd.client), cmd.text)
    uow.add(Feedback(audit=audit, **fields))


def resolve_feedback(uow: UnitOfWork, cmd: c.ResolveFeedback, audit: Audit) -> None:
    feedback = uow.require(Feedback, cmd.feedback_id)
    feedback.resolve(cmd.resolution, audit=audit)
    uow.add(feedback)


def post_ledger_entry(uow: UnitOfWork, cmd: c.PostLedgerEntry, audit: Audit) -> None:
    uow.refer(Team, cmd.team)
    uow.add(LedgerEntry(
        key=new_key(cmd), team=cmd.team, period=cmd.period, kind=cmd.kind, amount=cmd.amount,
        description=cmd.description, audit=audit,
    ))
