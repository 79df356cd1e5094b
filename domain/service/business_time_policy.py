"""When a person's command happens (docs/brief.md §10 "Business time from people").

The trusted operator's ``import`` dates its lines as it likes. A person acting through the API or the
web does not choose the ledger's past, nor its future:

- a command without ``at`` happens at max(the server's now, the latest business time of what it acts on
  or names), so clock skew between servers, or an event dated far ahead, never refuses a later "now";
- an explicit time (``at``, a feedback's ``occurred_at``) more than ``MAX_AHEAD`` ahead of the server's
  now is refused;
- only readings, feedback and observations may be backdated, by at most ``MAX_BACKDATE``; every other
  command (responses, resolutions, negotiation) takes the server's now: an explicit ``at`` further back
  than the clocks' tolerance (``MAX_AHEAD``) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from domain import commands as c
from domain.audit import Audit
from domain.base import TooEarly
from domain.service.unit_of_work import UnitOfWork

MAX_AHEAD = timedelta(minutes=5)
MAX_BACKDATE = timedelta(days=90)
BACKDATABLE: tuple[type[Any], ...] = (c.RecordReading, c.RecordFeedback, c.FeedbackMessage, c.RecordObservation)
"""What a person may date in the past: readings, feedback (a command or a posted message), observations."""


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def explicit_times(command: Any) -> list[tuple[str, datetime]]:
    """The times a command names itself, by field: its ``at``, and a feedback's ``occurred_at``."""
    times = [("at", command.at)] if getattr(command, "at", None) is not None else []
    if isinstance(command, c.FeedbackFields):
        times.append(("occurred_at", command.occurred_at))
    return times


def refusal(command: Any, now: datetime) -> str | None:
    """Why a person may not date ``command`` as it is dated (a command or a feedback message), or None."""
    kind = getattr(command, "type", "feedback")
    for field, when in explicit_times(command):
        if when > now + MAX_AHEAD:
            return (f"{field}: {_iso(when)} is more than 5 minutes ahead of the server's now ({_iso(now)}); "
                    "business time from people is never in the future")
        if isinstance(command, BACKDATABLE):
            if when < now - MAX_BACKDATE:
                return (f"{field}: {_iso(when)} is more than 90 days before the server's now ({_iso(now)}); "
                        "readings, feedback and observations may be backdated by at most 90 days")
        elif when < now - MAX_AHEAD:
            return (f"{field}: {kind} takes the server's now (leave out {field}); only readings, feedback and "
                    f"observations may be backdated, and {_iso(when)} is before {_iso(now)}")
    return None


def dated_by_server(command: c.Command) -> bool:
    """A command that names no time of its own (feedback is dated by its ``occurred_at``)."""
    return command.at is None and not isinstance(command, c.RecordFeedback)


def handle_in_time(handler: Callable[[UnitOfWork, Any, Audit], None], uow: UnitOfWork, command: c.Command,
                   audit: Audit, moves: bool) -> None:
    """``handler(uow, command, audit)``; with ``moves`` (a person's command dated by the server), one that finds
    what it acts on or names already later in business time happens at that time instead: max(now, latest).

    A handler refuses before it changes anything (an aggregate's clock and ``uow.refer`` check first), so it
    may simply run again; each run starts later than the one before, so the loop ends."""
    while True:
        uow.at = audit.at
        try:
            handler(uow, command, audit)
            return
        except TooEarly as error:
            if not moves or error.latest <= audit.at:
                raise
            audit = replace(audit, at=error.latest)
