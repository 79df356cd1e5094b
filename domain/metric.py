"""Metrics that show whether a promise is kept, and their readings."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import LedgerAggregate


class Metric(LedgerAggregate):
    """What is measured, in which unit, and which direction is better."""

    KIND = "metric"

    class Defined(LedgerAggregate.Created):
        """``owner`` (the team whose members record its readings, docs/brief.md §10) came later; None before."""

        key: str
        name: str
        unit: str
        direction: str
        owner: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["owner"] = None

    @event(Defined)
    def __init__(self, key: str, name: str, unit: str, direction: str, owner: str | None, audit: Audit) -> None:
        self.key = key
        self.name = name
        self.unit = unit
        self.direction = direction
        self.owner = owner


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
