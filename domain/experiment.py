"""Step 9: hypotheses tested by experiments, error reviews, and the process changes they lead to.

Each command method refuses what it must before it triggers its event; the event methods only apply, so
replaying stored events never judges them again by today's rules.
"""

from __future__ import annotations

from typing import Any

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
        plan: dict[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.team = team
        self.hypothesis = hypothesis
        self.metric = metric
        self.design = design
        self.promise = promise
        self.plan = plan or {}  # events stored before §6 carry no plan: the defaults apply
        self.arms: list[str] = list(self.plan.get("arms") or ("control", "treatment"))
        self.status = "proposed"
        self.observations = dict.fromkeys(self.arms, 0)
        self.decision: str | None = None

    def start(self, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "proposed":
            raise DomainError(f"experiment {self.key} is {self.status}; only a proposed one can start")
        self._started(audit=audit)

    @event("Started")
    def _started(self, audit: Audit) -> None:
        self.status = "running"

    def check_data(self, arm: str, metric: str, audit: Audit) -> None:
        """Observations and arm summaries: a running A/B experiment, one of its arms, time going forward."""
        self.check_time(audit)
        if self.status != "running":
            raise DomainError(f"experiment {self.key} is {self.status}; observations need a running one")
        if self.design != "ab":
            raise DomainError(
                f"experiment {self.key} is before_after: its arms come from the metric's readings"
            )
        if arm not in self.arms:
            raise DomainError(f"arm {arm!r} is not one of experiment {self.key}'s arms ({', '.join(self.arms)})")

    def is_proportion(self, metric: str) -> bool:
        return self.plan.get("kind") == "proportion" and metric == self.metric

    def check_observation(self, arm: str, value: float, metric: str, audit: Audit) -> None:
        """What an observation (``domain.observation``) must meet: a running A/B experiment's arm, no earlier
        than the experiment's latest event, a 0 or 1 when the metric is a proportion."""
        self.check_data(arm, metric, audit)
        if self.is_proportion(metric) and value not in (0.0, 1.0):
            raise DomainError(f"experiment {self.key} measures a proportion: value must be 0 or 1, not {value}")

    def record_observation(self, arm: str, value: float, audit: Audit, metric: str | None = None,
                           covariate: float | None = None) -> None:
        """How observations were stored before they became aggregates of their own: kept so that old stores
        replay and project as they did, and can still be written as that code wrote them (tests do); no
        command records one any more."""
        self.check_observation(arm, value, metric or self.metric, audit)
        self._observation_recorded(arm=arm, value=value, audit=audit, metric=metric, covariate=covariate)

    @event("ObservationRecorded")
    def _observation_recorded(self, arm: str, value: float, audit: Audit, metric: str | None = None,
                              covariate: float | None = None) -> None:
        self.observations[arm] += 1

    def record_arm_summary(self, arm: str, metric: str, summary: dict[str, Any], audit: Audit) -> None:
        """n, sum, sum_squares (+ covariate sums) of one arm and metric; checked to be sums of real values."""
        self.check_data(arm, metric, audit)
        n, total, squares = summary["n"], summary["sum"], summary["sum_squares"]
        if squares < (total / n) * total * (1 - 1e-9):
            raise DomainError("sum_squares is smaller than sum²/n: these are not the sums of real values")
        if summary.get("covariate_sum") is not None:
            x_total = summary["covariate_sum"]
            if summary["covariate_sum_squares"] < (x_total / n) * x_total * (1 - 1e-9):
                raise DomainError("covariate_sum_squares is smaller than covariate_sum²/n")
        if self.is_proportion(metric) and not (0 <= total <= n and abs(squares - total) <= 1e-9 * n):
            raise DomainError(f"experiment {self.key} measures a proportion: need 0 <= sum <= n and "
                              "sum_squares = sum (values 0 or 1)")
        self._arm_summary_recorded(arm=arm, metric=metric, summary=summary, audit=audit)

    @event("ArmSummaryRecorded")
    def _arm_summary_recorded(self, arm: str, metric: str, summary: dict[str, Any], audit: Audit) -> None:
        self.observations[arm] += summary["n"]

    def conclude(self, decision: str, learning: str, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "running":
            raise DomainError(f"experiment {self.key} is {self.status}; only a running one can conclude")
        self._concluded(decision=decision, learning=learning, audit=audit)

    @event("Concluded")
    def _concluded(self, decision: str, learning: str, audit: Audit) -> None:
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
