"""Every kind of signal, each a source ``(con, as_of) -> list[Signal]`` in its own module.

A source returns the episodes raised at or before ``as_of`` (naive UTC, never the views' FOREVER: time-only
conditions need a real "now"), each with ``cleared_at`` when its condition stopped holding at or before then.
A new kind is one module and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import duckdb

from projections.signals.client_voice import client_voice_shifts
from projections.signals.complaint_due_soon import complaint_due_soon
from projections.signals.complaint_overdue import complaint_overdue
from projections.signals.experiment_guardrail import experiment_guardrail_harmed
from projections.signals.experiment_ready import experiment_ready
from projections.signals.experiment_srm import experiment_srm
from projections.signals.model import Signal
from projections.signals.negotiation import negotiation_waiting
from projections.signals.promise_at_risk import promises_at_risk
from projections.signals.promise_outcomes import promise_outcomes

Source = Callable[[duckdb.DuckDBPyConnection, datetime], list[Signal]]

SOURCES: tuple[Source, ...] = (
    client_voice_shifts,
    negotiation_waiting,
    experiment_srm,
    experiment_guardrail_harmed,
    experiment_ready,
    promises_at_risk,
    promise_outcomes,  # promise_missed and promise_budget_exhausted, from one pass over the periods
    complaint_due_soon,
    complaint_overdue,
)
