"""Metrics that show whether a promise is kept, and their readings."""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import LedgerAggregate


class Metric(LedgerAggregate):
    """What is measured, in which unit, and which direction is better."""

    KIND = "metric"

    @event("Defined")
    def __init__(self, key: str, name: str, unit: str, direction: str, audit: Audit) -> None:
        self.key = key
        self.name = name
        self.unit = unit
        self.direction = direction


class Reading(LedgerAggregate):
    """One measured value of a metric at a business time.

    Each reading is its own aggregate so that readings from many sources never contend
    for one metric's version numbers, and a metric with years of readings stays cheap to load.
    """

    KIND = "reading"

    @event("Recorded")
    def __init__(self, key: str, metric: str, value: float, audit: Audit) -> None:
        self.key = key
        self.metric = metric
        self.value = value
