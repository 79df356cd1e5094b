"""Every kind of signal, each a source ``(con, as_of) -> list[Signal]`` in its own module, declared with what it
reads and how time moves it (``projections.signals.declared``), so a cache can judge only what changed.
A source returns the episodes raised at or before ``as_of`` (naive UTC, never the views' FOREVER: time-only
conditions need a real "now"), each with ``cleared_at`` when its condition stopped holding at or before then.
A new kind is one module and one declaration here. The experiment kinds load their statistics only when asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

import duckdb

from projections.signals import complaints, negotiation
from projections.signals.client_voice import client_voice_shifts
from projections.signals.declared import ANY_TIME, DAY, HALF_DAY, HOUR, Declared
from projections.signals.model import Signal
from projections.signals.promise_at_risk import promises_at_risk
from projections.signals.promise_outcomes import promise_outcomes

Source = Callable[[duckdb.DuckDBPyConnection, datetime], list[Signal]]

PROMISES = ("promise_history", "metrics", "readings", "teams")
"""What the promise kinds read: the terms, each metric's direction and readings, and whether a promisee is a team."""


def _experiment(module: str, name: str) -> Declared:
    def prepare(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
        source: Source = getattr(importlib.import_module(f"projections.signals.{module}"), name)
        return source(con, as_of)

    # reads: None, every new event counts (the experiment statistics read more tables than are worth listing);
    # time alone moves the answer only when an hour is over (``experiment_timeline`` judges the completed hours)
    return Declared(name, prepare, None, "experiments", HOUR)


DECLARED: tuple[Declared, ...] = (
    Declared("client_voice_shift", client_voice_shifts, ("feedback", "promise_history"), "feedback", DAY),
    Declared("negotiation_waiting", negotiation.proposals, ("promise_history", "teams"), "promise_history",
             ANY_TIME, negotiation.waiting),
    _experiment("experiment_srm", "experiment_srm"),
    _experiment("experiment_guardrail", "experiment_guardrail_harmed"),
    _experiment("experiment_ready", "experiment_ready"),
    Declared("promise_at_risk", promises_at_risk, PROMISES, "promise_history", HALF_DAY),
    # promise_missed and promise_budget_exhausted, from one pass over the periods
    Declared("promise_outcomes", promise_outcomes, PROMISES, "promise_history", DAY),
    # complaint_due_soon and complaint_overdue, from one computation of the complaints' clocks
    Declared("complaints", complaints.clocks, complaints.READS, "feedback", ANY_TIME, complaints.complaint_signals),
)

SOURCES: tuple[Source, ...] = DECLARED
