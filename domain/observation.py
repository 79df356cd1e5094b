"""One observation of an A/B experiment's arm, an aggregate of its own (as a reading is).

Observations were events of their experiment, so an experiment of a million of them was a million-event
aggregate replayed by every batch that recorded more: importing grew with the square of its size. As
aggregates of their own, recording one costs the same whatever the experiment holds, and writers streaming
results into one experiment never contend for its version numbers. The experiment still decides whether
it takes one (``Experiment.check_observation``); it is loaded once per batch, and it stays small.
"""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import LedgerAggregate


class Observation(LedgerAggregate):
    """One unit's value of an experiment's metric (``metric`` None: the primary one) in one arm."""

    KIND = "observation"

    @event("Recorded")
    def __init__(self, key: str, experiment: str, arm: str, value: float, metric: str | None,
                 covariate: float | None, audit: Audit) -> None:
        self.key = key
        self.experiment = experiment
        self.arm = arm
        self.value = value
        self.metric = metric
        self.covariate = covariate
