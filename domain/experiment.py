"""Step 9: hypotheses tested by experiments, error reviews, and the process changes they lead to."""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate


class Experiment(LedgerAggregate):
    """proposed -> running -> concluded; observations only while running."""

    KIND = "experiment"

    @event("Proposed")
    def __init__(
        self,
        key: str,
        team: str,
        hypothesis: str,
        metric: str,
        design: str,
        promise: str | None,
        audit: Audit,
    ) -> None:
        self.key = key
        self.team = team
        self.hypothesis = hypothesis
        self.metric = metric
        self.design = design
        self.promise = promise
        self.status = "proposed"
        self.observations = {"control": 0, "treatment": 0}
        self.decision: str | None = None

    @event("Started")
    def start(self, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "proposed":
            raise DomainError(f"experiment {self.key} is {self.status}; only a proposed one can start")
        self.status = "running"

    @event("ObservationRecorded")
    def record_observation(self, arm: str, value: float, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "running":
            raise DomainError(f"experiment {self.key} is {self.status}; observations need a running one")
        if self.design != "ab":
            raise DomainError(
                f"experiment {self.key} is before_after: its arms come from the metric's readings"
            )
        self.observations[arm] += 1

    @event("Concluded")
    def conclude(self, decision: str, learning: str, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "running":
            raise DomainError(f"experiment {self.key} is {self.status}; only a running one can conclude")
        self.status = "concluded"
        self.decision = decision


class ErrorReview(LedgerAggregate):
    """What went wrong, why, and what was learned (analysing errors is part of step 9)."""

    KIND = "error-review"

    @event("Recorded")
    def __init__(
        self, key: str, team: str, what_happened: str, cause: str, lesson: str, promise: str | None, audit: Audit
    ) -> None:
        self.key = key
        self.team = team
        self.what_happened = what_happened
        self.cause = cause
        self.lesson = lesson
        self.promise = promise


class ProcessChange(LedgerAggregate):
    """A change to how the team works, traced to the experiment or review that caused it."""

    KIND = "process-change"

    @event("Recorded")
    def __init__(
        self,
        key: str,
        team: str,
        description: str,
        experiment: str | None,
        review: str | None,
        audit: Audit,
    ) -> None:
        self.key = key
        self.team = team
        self.description = description
        self.experiment = experiment
        self.review = review
