"""The application service: turns validated commands into events, one transaction per batch."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    OperationalError,
    ProcessRecorder,
    Tracking,
)

from domain import commands as c
from domain.audit import Audit, AuditAsDict
from domain.base import DomainError, LedgerAggregate, key_id
from domain.client import Client
from domain.economics import LedgerEntry
from domain.event_store import LEDGER_NAME, opening, store_environment
from domain.experiment import ErrorReview, Experiment, ProcessChange
from domain.feedback import Feedback, feedback_fields
from domain.feedback_encoding import RecordedFeedbackEncoder
from domain.metric import Metric, Reading
from domain.promise import Promise
from domain.strategy import StrategyCanvas
from domain.tamper_evidence import VerifyReport
from domain.team import Team

A = TypeVar("A", bound=LedgerAggregate)
MAX_ATTEMPTS = 5
WRITE_CONFLICT_SIGNS = ("pipeline aborted", "locked", "busy", "could not serialize", "deadlock")


def is_write_conflict(error: Exception) -> bool:
    """A concurrent writer got there first, and the transaction was rolled back whole.

    On PostgreSQL a clash on a receipt inside the library's pipelined insert surfaces as an
    aborted pipeline (an OperationalError), not an IntegrityError. Any other operational
    error (a missing table, a lost connection) is not a conflict and must surface as itself.
    """
    if isinstance(error, IntegrityError):
        return True
    return isinstance(error, OperationalError) and any(sign in str(error).lower() for sign in WRITE_CONFLICT_SIGNS)


class PositionAlreadyRecorded(Exception):
    """The tracked source position was already processed: the batch is a redelivery."""


@dataclass
class BatchResult:
    """What happened to each command of a batch, by its index in the batch."""

    accepted: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    events: int = 0


@dataclass(frozen=True)
class FeedbackOutcome:
    recorded: int
    duplicates: int


def line_receipt(command_id: str) -> str:
    return f"line:{command_id}"


def feedback_receipt(feedback_id: str) -> str:
    return f"feedback:{feedback_id}"


class UnitOfWork:
    """The aggregates one batch touches, and its new events in command order."""

    def __init__(self, app: Ledger) -> None:
        self.app = app
        self.at = datetime.min.replace(tzinfo=UTC)  # business time of the command being handled
        self.loaded: dict[tuple[str, str], LedgerAggregate | None] = {}
        self.events: list[Any] = []
        self.receipts: list[str] = []

    def find(self, cls: type[A], key: str) -> A | None:
        slot = (cls.KIND, key)
        if slot not in self.loaded:
            try:
                self.loaded[slot] = self.app.repository.get(key_id(cls.KIND, key))
            except AggregateNotFoundError:
                self.loaded[slot] = None
        found = self.loaded[slot]
        if found is not None and not isinstance(found, cls):
            raise DomainError(f"{key!r} is not a {cls.KIND}")
        return found  # type: ignore[return-value]

    def require(self, cls: type[A], key: str) -> A:
        """The aggregate a command acts on (its own clock rejects a time before its latest event)."""
        found = self.find(cls, key)
        if found is None:
            raise DomainError(f"unknown {cls.KIND} {key!r}")
        return found

    def refer(self, cls: type[A], key: str) -> A:
        """An aggregate a command names, which must already exist at the command's business time:
        otherwise the state "as of" that time would point at something that did not exist yet."""
        found = self.require(cls, key)
        if found.first_at > self.at:
            raise DomainError(
                f"{cls.KIND} {key!r} did not exist yet at {self.at.isoformat()} "
                f"(it was created at {found.first_at.isoformat()})"
            )
        return found

    def require_absent(self, cls: type[LedgerAggregate], key: str) -> None:
        if self.find(cls, key) is not None:
            raise DomainError(f"{cls.KIND} {key!r} already exists")

    def require_party(self, key: str) -> None:
        """A promisee is a client or a team."""
        party = self.find(Client, key) or self.find(Team, key)
        if party is None:
            raise DomainError(f"unknown promisee {key!r} (neither a client nor a team)")
        self.refer(type(party), key)

    def add(self, aggregate: LedgerAggregate) -> None:
        self.loaded[(aggregate.KIND, aggregate.key)] = aggregate  # type: ignore[attr-defined]
        self.events.extend(aggregate.collect_events())


class Ledger(Application):
    """The clientocracy ledger: every command becomes an immutable, audited event."""

    name = LEDGER_NAME
    store_url: str | None = None
    """Where the store is, when the ledger was opened from a URL (a writer process opens it again)."""

    @classmethod
    def open(cls, store_url: str) -> Ledger:
        """The ledger on the store at ``store_url``, creating its tables on first use."""
        ledger = opening(lambda: cls(env=store_environment(store_url)))
        ledger.store_url = store_url
        return ledger

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(AuditAsDict())

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def process_recorder(self) -> Any:
        return self.recorder

    @cached_property
    def feedback_encoder(self) -> RecordedFeedbackEncoder:
        return RecordedFeedbackEncoder(self.mapper)

    # Commands ---------------------------------------------------------------------

    def execute(self, commands: Sequence[c.Command], now: datetime | None = None) -> BatchResult:
        """Apply a batch of commands in one transaction; bad commands are rejected, never half-written."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._execute_once(commands, now or datetime.now(UTC))
            except (IntegrityError, OperationalError) as error:
                if not is_write_conflict(error) or attempt == MAX_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * attempt)  # re-read and re-decide the batch
        raise AssertionError("unreachable")

    def _execute_once(self, commands: Sequence[c.Command], now: datetime) -> BatchResult:
        keys = [line_receipt(cmd.id) for cmd in commands if cmd.id]
        keys += [feedback_receipt(cmd.feedback_id) for cmd in commands if isinstance(cmd, c.RecordFeedback)]
        seen = self.process_recorder.existing_receipts(keys) if keys else set()
        uow = UnitOfWork(self)
        result = BatchResult()
        for index, cmd in enumerate(commands):
            own_keys = [line_receipt(cmd.id)] if cmd.id else []
            if isinstance(cmd, c.RecordFeedback):
                own_keys.append(feedback_receipt(cmd.feedback_id))
            if any(key in seen for key in own_keys):
                result.skipped.append(index)
                continue
            default_at = cmd.occurred_at if isinstance(cmd, c.RecordFeedback) else now
            audit = Audit(at=cmd.at or default_at, actor=cmd.actor, reason=cmd.reason, correlation=cmd.id)
            uow.at = audit.at
            try:
                HANDLERS[type(cmd)](uow, cmd, audit)
            except DomainError as error:
                result.rejected.append((index, str(error)))
                continue
            seen.update(own_keys)
            uow.receipts.extend(own_keys)
            result.accepted.append(index)
        if uow.events or uow.receipts:
            self.record(uow.events, tracking=None, receipts=uow.receipts)
        result.events = len(uow.events)
        return result

    def record_feedback(
        self, messages: Sequence[tuple[c.FeedbackFields, str]], tracking: Tracking | None
    ) -> FeedbackOutcome:
        """Record a batch of feedback messages and their source position in one transaction."""
        for attempt in range(MAX_ATTEMPTS):
            if tracking is not None:
                done = self.tracked_position(tracking.application_name)
                if done is not None and tracking.notification_id <= done:
                    raise PositionAlreadyRecorded(f"{tracking.application_name} already at {done}")
            keys = [feedback_receipt(m.feedback_id) for m, _ in messages]
            seen = self.process_recorder.existing_receipts(keys) if keys else set()
            new: list[tuple[c.FeedbackFields, str]] = []
            receipts: list[str] = []
            for key, (message, correlation) in zip(keys, messages, strict=True):
                if key not in seen:
                    seen.add(key)
                    receipts.append(key)
                    new.append((message, correlation))
            stored = self.feedback_encoder.stored_events(new, datetime.now(UTC))
            try:
                self.process_recorder.insert_events(stored, tracking=tracking, receipts=receipts)
            except (IntegrityError, OperationalError) as error:
                if not is_write_conflict(error) or attempt == MAX_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * attempt)  # re-read the position and the receipts, then try again
                continue
            return FeedbackOutcome(recorded=len(receipts), duplicates=len(messages) - len(receipts))
        raise AssertionError("unreachable")

    def record(self, events: list[Any], tracking: Tracking | None, receipts: list[str]) -> None:
        """Store new events, their receipts and a tracking position in one transaction.

        Like ``save()``, minus its per-object protocol checks, which cost more than the
        insert itself on large batches; the events here come straight from our aggregates.
        """
        processing_event: ProcessingEvent[uuid.UUID] = ProcessingEvent(tracking)
        processing_event.events.extend(events)
        processing_event.saved_kwargs["receipts"] = receipts
        self._notify(self._record(processing_event))

    # Queries ----------------------------------------------------------------------

    def count_receipts(self, prefix: str) -> int:
        """How many idempotency keys starting with ``prefix`` are recorded (``"feedback:"``: feedback)."""
        return int(self.process_recorder.count_receipts(prefix))

    def tracked_position(self, application_name: str) -> int | None:
        return self.process_recorder.max_tracking_id(application_name)

    def history(self, cls: type[LedgerAggregate], key: str, as_of: datetime | None = None) -> list[Any]:
        """The events of one aggregate whose business time is at or before ``as_of``."""
        events: list[Any] = list(self.events.get(key_id(cls.KIND, key)))
        if as_of is not None:
            events = [e for e in events if e.audit.at <= as_of]
        return events

    def state(self, cls: type[A], key: str, as_of: datetime | None = None) -> A | None:
        """An aggregate as it was at ``as_of`` (None if it did not exist yet)."""
        events = self.history(cls, key, as_of)
        if not events:
            return None
        aggregate: A | None = None
        for domain_event in events:
            aggregate = domain_event.mutate(aggregate)
        return aggregate

    def verify(self) -> VerifyReport:
        return self.process_recorder.verify_chain()


# Command handlers: one per command type ------------------------------------------------


def _new_key(cmd: c.Command) -> str:
    """Entities without a business key (readings, ledger entries) take the line id, or a fresh one."""
    return cmd.id or uuid.uuid4().hex


def identify_client(uow: UnitOfWork, cmd: c.IdentifyClient, audit: Audit) -> None:
    uow.require_absent(Client, cmd.client)
    uow.add(Client(key=cmd.client, name=cmd.name, kind=cmd.kind, description=cmd.description, audit=audit))


def record_pain(uow: UnitOfWork, cmd: c.RecordPain, audit: Audit) -> None:
    client = uow.require(Client, cmd.client)
    client.record_pain(cmd.pain, cmd.description, cmd.severity, audit=audit)
    uow.add(client)


def define_value_proposition(uow: UnitOfWork, cmd: c.DefineValueProposition, audit: Audit) -> None:
    client = uow.require(Client, cmd.client)
    if cmd.team is not None:
        uow.refer(Team, cmd.team)
    client.define_value_proposition(
        cmd.proposition, cmd.team, cmd.statement, list(cmd.characteristics), list(cmd.pains), audit=audit
    )
    uow.add(client)


def draw_strategy_canvas(uow: UnitOfWork, cmd: c.DrawStrategyCanvas, audit: Audit) -> None:
    uow.require_absent(StrategyCanvas, cmd.canvas)
    uow.refer(Client, cmd.client)
    if cmd.team is not None:
        uow.refer(Team, cmd.team)
    uow.add(StrategyCanvas(key=cmd.canvas, client=cmd.client, team=cmd.team, factors=list(cmd.factors), audit=audit))


def score_offering(uow: UnitOfWork, cmd: c.ScoreOffering, audit: Audit) -> None:
    canvas = uow.require(StrategyCanvas, cmd.canvas)
    canvas.score_offering(cmd.offering, cmd.ours, dict(cmd.scores), audit=audit)
    uow.add(canvas)


def choose_unique_factor(uow: UnitOfWork, cmd: c.ChooseUniqueFactor, audit: Audit) -> None:
    canvas = uow.require(StrategyCanvas, cmd.canvas)
    canvas.choose_unique_factor(cmd.factor, audit=audit)
    uow.add(canvas)


def form_team(uow: UnitOfWork, cmd: c.FormTeam, audit: Audit) -> None:
    uow.require_absent(Team, cmd.team)
    uow.add(Team(key=cmd.team, name=cmd.name, audit=audit))


def add_member(uow: UnitOfWork, cmd: c.AddMember, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.add_member(cmd.person, cmd.role, audit=audit)
    uow.add(team)


def remove_member(uow: UnitOfWork, cmd: c.RemoveMember, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.remove_member(cmd.person, audit=audit)
    uow.add(team)


def set_communication_rules(uow: UnitOfWork, cmd: c.SetCommunicationRules, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.set_communication_rules(list(cmd.rules), audit=audit)
    uow.add(team)


def grant_authority(uow: UnitOfWork, cmd: c.GrantAuthority, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.grant_authority(cmd.authority, cmd.description, audit=audit)
    uow.add(team)


def choose_reward_scheme(uow: UnitOfWork, cmd: c.ChooseRewardScheme, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    scheme = cmd.model_dump(include={
        "variant", "share", "carry_forward_losses", "team_weight", "split", "base_pay", "hours", "cadence"
    })
    team.choose_reward_scheme(scheme, audit=audit)
    uow.add(team)


def define_metric(uow: UnitOfWork, cmd: c.DefineMetric, audit: Audit) -> None:
    uow.require_absent(Metric, cmd.metric)
    uow.add(Metric(key=cmd.metric, name=cmd.name, unit=cmd.unit, direction=cmd.direction, audit=audit))


def record_reading(uow: UnitOfWork, cmd: c.RecordReading, audit: Audit) -> None:
    uow.refer(Metric, cmd.metric)
    uow.add(Reading(key=_new_key(cmd), metric=cmd.metric, value=cmd.value, audit=audit))


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


def record_feedback(uow: UnitOfWork, cmd: c.RecordFeedback, audit: Audit) -> None:
    uow.add(Feedback(audit=audit, **feedback_fields(cmd)))


def resolve_feedback(uow: UnitOfWork, cmd: c.ResolveFeedback, audit: Audit) -> None:
    feedback = uow.require(Feedback, cmd.feedback_id)
    feedback.resolve(cmd.resolution, audit=audit)
    uow.add(feedback)


def post_ledger_entry(uow: UnitOfWork, cmd: c.PostLedgerEntry, audit: Audit) -> None:
    uow.refer(Team, cmd.team)
    uow.add(LedgerEntry(
        key=_new_key(cmd), team=cmd.team, period=cmd.period, kind=cmd.kind, amount=cmd.amount,
        description=cmd.description, audit=audit,
    ))


def propose_experiment(uow: UnitOfWork, cmd: c.ProposeExperiment, audit: Audit) -> None:
    uow.require_absent(Experiment, cmd.experiment)
    uow.refer(Team, cmd.team)
    uow.refer(Metric, cmd.metric)
    if cmd.promise is not None:
        uow.refer(Promise, cmd.promise)
    uow.add(Experiment(
        key=cmd.experiment, team=cmd.team, hypothesis=cmd.hypothesis, metric=cmd.metric,
        design=cmd.design, promise=cmd.promise, audit=audit,
    ))


def start_experiment(uow: UnitOfWork, cmd: c.StartExperiment, audit: Audit) -> None:
    experiment = uow.require(Experiment, cmd.experiment)
    experiment.start(audit=audit)
    uow.add(experiment)


def record_observation(uow: UnitOfWork, cmd: c.RecordObservation, audit: Audit) -> None:
    experiment = uow.require(Experiment, cmd.experiment)
    experiment.record_observation(cmd.arm, cmd.value, audit=audit)
    uow.add(experiment)


def conclude_experiment(uow: UnitOfWork, cmd: c.ConcludeExperiment, audit: Audit) -> None:
    experiment = uow.require(Experiment, cmd.experiment)
    experiment.conclude(cmd.decision, cmd.learning, audit=audit)
    uow.add(experiment)


def record_error_review(uow: UnitOfWork, cmd: c.RecordErrorReview, audit: Audit) -> None:
    uow.require_absent(ErrorReview, cmd.review)
    uow.refer(Team, cmd.team)
    if cmd.promise is not None:
        uow.refer(Promise, cmd.promise)
    uow.add(ErrorReview(
        key=cmd.review, team=cmd.team, what_happened=cmd.what_happened, cause=cmd.cause,
        lesson=cmd.lesson, promise=cmd.promise, audit=audit,
    ))


def record_process_change(uow: UnitOfWork, cmd: c.RecordProcessChange, audit: Audit) -> None:
    uow.require_absent(ProcessChange, cmd.change)
    uow.refer(Team, cmd.team)
    if cmd.experiment is not None:
        uow.refer(Experiment, cmd.experiment)
    if cmd.review is not None:
        uow.refer(ErrorReview, cmd.review)
    uow.add(ProcessChange(
        key=cmd.change, team=cmd.team, description=cmd.description, experiment=cmd.experiment,
        review=cmd.review, audit=audit,
    ))


HANDLERS: dict[type[c.Command], Callable[[UnitOfWork, Any, Audit], None]] = {
    c.IdentifyClient: identify_client,
    c.RecordPain: record_pain,
    c.DefineValueProposition: define_value_proposition,
    c.DrawStrategyCanvas: draw_strategy_canvas,
    c.ScoreOffering: score_offering,
    c.ChooseUniqueFactor: choose_unique_factor,
    c.FormTeam: form_team,
    c.AddMember: add_member,
    c.RemoveMember: remove_member,
    c.SetCommunicationRules: set_communication_rules,
    c.GrantAuthority: grant_authority,
    c.ChooseRewardScheme: choose_reward_scheme,
    c.DefineMetric: define_metric,
    c.RecordReading: record_reading,
    c.ProposePromise: propose_promise,
    c.CounterPropose: counter_propose,
    c.AgreePromise: agree_promise,
    c.AmendPromise: amend_promise,
    c.RetirePromise: retire_promise,
    c.RecordFeedback: record_feedback,
    c.ResolveFeedback: resolve_feedback,
    c.PostLedgerEntry: post_ledger_entry,
    c.ProposeExperiment: propose_experiment,
    c.StartExperiment: start_experiment,
    c.RecordObservation: record_observation,
    c.ConcludeExperiment: conclude_experiment,
    c.RecordErrorReview: record_error_review,
    c.RecordProcessChange: record_process_change,
}
