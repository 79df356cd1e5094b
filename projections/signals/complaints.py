"""The complaint signals, ``complaint_due_soon`` and ``complaint_overdue``, from one computation of the company's
complaint clocks (``complaint_signal.company_clocks``, most of their cost). The clocks hold when each episode
starts and stops, facts alone, so a cache keeps them while no complaint, answer or rule changes, and each as-of
time only compares times (``complaint_signals``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.signals.complaint_due_soon import due_soon
from projections.signals.complaint_overdue import overdue
from projections.signals.complaint_signal import company_clocks as clocks
from projections.signals.model import Signal

READS = ("feedback", "feedback_assignments", "feedback_resolutions", "feedback_responses", "clients", "team_rules",
         "promise_history")
"""What the clocks read (``queries.FEEDBACK_WITH_TEAM``, ``complaint_clock.clock_sql``)."""

__all__ = ["READS", "clocks", "complaint_signals"]


def complaint_signals(found: list[dict[str, Any]], as_of: datetime) -> list[Signal]:
    """Both kinds' episodes raised by ``as_of``, from the clocks."""
    return [*due_soon(found, as_of), *overdue(found, as_of)]
