"""Client feedback and step 7's ledger entries."""

from __future__ import annotations

from domain.audit import Audit
from domain.base import DomainError
from domain.commands.money_and_feedback import (
    AssignFeedback,
    FeedbackFields,
    PostLedgerEntry,
    RecordFeedback,
    ResolveFeedback,
    RespondToFeedback,
)
from domain.economics import LedgerEntry
from domain.feedback import Feedback, feedback_fields
from domain.handlers.keys import new_key
from domain.policy import COUNCIL, FEEDBACK_ASSIGNER, FEEDBACK_GIVER, FEEDBACK_TEAM
from domain.promise import Promise
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.team import Team


@handles(RecordFeedback, rule=FEEDBACK_GIVER)
def record_feedback(uow: UnitOfWork, cmd: RecordFeedback, audit: Audit) -> None:
    uow.add(Feedback(audit=audit, **feedback_fields(cmd)))


def promise_refusal(uow: UnitOfWork, fields: FeedbackFields) -> str | None:
    """Why a person's feedback may not name its ``promise``: it must be one made to that client, or the feedback
    would count against another team's promise. Asked of people only (API, web): the operator's import and the
    Kafka and file channels keep feedback naming a promise nobody has registered yet (README). One message for an
    unknown promise and another client's, so a refusal never tells a key the person may not see."""
    if fields.promise is None:
        return None
    found = uow.find(Promise, fields.promise)
    if found is not None and found.promisee == fields.client:
        return None
    return f"promise: {fields.promise} is not a promise made to client {fields.client}"


@handles(ResolveFeedback, rule=FEEDBACK_TEAM)
def resolve_feedback(uow: UnitOfWork, cmd: ResolveFeedback, audit: Audit) -> None:
    feedback = uow.require(Feedback, cmd.feedback_id)
    feedback.resolve(feedback.sealed(uow.sealer, cmd.resolution), audit=audit)
    uow.add(feedback)


@handles(RespondToFeedback, rule=FEEDBACK_TEAM)
def respond_to_feedback(uow: UnitOfWork, cmd: RespondToFeedback, audit: Audit) -> None:
    feedback = uow.require(Feedback, cmd.feedback_id)
    if feedback.response is not None:
        raise DomainError(f"feedback {cmd.feedback_id} was already responded to (the response time counts the "
                          "first answer)")
    if feedback.resolution is not None:
        raise DomainError(f"feedback {cmd.feedback_id} is already resolved")
    feedback.respond(feedback.sealed(uow.sealer, cmd.response), audit=audit)
    uow.add(feedback)


@handles(AssignFeedback, rule=FEEDBACK_ASSIGNER)
def assign_feedback(uow: UnitOfWork, cmd: AssignFeedback, audit: Audit) -> None:
    feedback = uow.require(Feedback, cmd.feedback_id)
    uow.refer(Team, cmd.team)
    if feedback.kind != "complaint":
        raise DomainError(f"feedback {cmd.feedback_id} is a {feedback.kind}: only a complaint is assigned a team")
    if feedback.team is not None or (feedback.promise is not None and uow.find(Promise, feedback.promise)):
        raise DomainError(f"complaint {cmd.feedback_id} already has a team (it names a team, or a promise a team "
                          "made)")
    feedback.assign(cmd.team, audit=audit)
    uow.add(feedback)


@handles(PostLedgerEntry, rule=COUNCIL)
def post_ledger_entry(uow: UnitOfWork, cmd: PostLedgerEntry, audit: Audit) -> None:
    uow.refer(Team, cmd.team)
    uow.add(LedgerEntry(
        key=new_key(uow, cmd, LedgerEntry), team=cmd.team, period=cmd.period, kind=cmd.kind, amount=cmd.amount,
        description=cmd.description, audit=audit,
    ))
