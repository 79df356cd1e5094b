"""The clocks of the few complaints a page shows (``complaint_pages``), computed here from their inputs.

``complaint_clock.clock_sql`` computes the same times in SQL for many complaints at once; for a page's hundred
rows DuckDB's planning of those expressions, anew for every as-of answer, cost ten times the arithmetic itself.
So the page reads each complaint's ``complaint_clock.INPUTS`` and this module does the arithmetic, to the
microsecond as the SQL does it (a test holds the two equal on every kind of complaint).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from projections.complaint_clock import DUE_SOON_SHARE

SOON_MICROSECONDS = int(DUE_SOON_SHARE * 1_000_000)
"""Microseconds of "due soon" per second of a duration: the SQL's factor."""
CLOCK_TIMES = ("respond_by", "resolve_by", "overdue_at", "response_soon_at", "response_soon_until",
               "resolution_soon_at", "resolution_soon_until")
"""What ``clock_times`` adds to a complaint's inputs (``sla`` and ``age_seconds`` are judged at a moment)."""
DURATIONS = ("response_within", "resolution_within", "response_seconds", "resolution_seconds")
"""The inputs a complaint's team's rules give it: those of the setting in force when it was made."""


def durations_in_force(settings: Sequence[Mapping[str, Any]], occurred_at: datetime | None) -> dict[str, Any]:
    """A complaint's ``DURATIONS`` from its team's rule settings (oldest first, by business time and position): the
    last one dated at or before ``occurred_at``, as ``complaint_clock.clock_inputs_sql``'s as-of join finds it;
    all None before the first."""
    found = 0 if occurred_at is None else bisect_right([s["business_at"] for s in settings], occurred_at)
    return {field: settings[found - 1][field] if found else None for field in DURATIONS}


def _least(*times: datetime | None) -> datetime | None:
    """The earliest time given, ignoring nulls (SQL's ``least``); None when there is none."""
    present = [t for t in times if t is not None]
    return min(present) if present else None


def _greatest(*times: datetime | None) -> datetime | None:
    """The latest time given, ignoring nulls (SQL's ``greatest``); None when there is none."""
    present = [t for t in times if t is not None]
    return max(present) if present else None


def _before(time: datetime | None, limit: datetime | None) -> bool:
    """``time < coalesce(limit, 'infinity')``, null ``time`` false (SQL's comparison)."""
    return time is not None and (limit is None or time < limit)


def clock_times(row: Mapping[str, Any]) -> dict[str, datetime | None]:
    """A complaint's deadlines and the times its episodes start and stop, from its ``INPUTS`` (``clock_sql``)."""
    occurred, responded, resolved = row["occurred_at"], row["responded_at"], row["resolved_at"]
    response, resolution = row["response_seconds"], row["resolution_seconds"]
    respond_by = None if response is None else occurred + timedelta(seconds=response)
    resolve_by = None if resolution is None else occurred + timedelta(seconds=resolution)
    overdue_at = _least(respond_by if _before(respond_by, _least(responded, resolved)) else None,
                        resolve_by if _before(resolve_by, resolved) else None)
    response_soon_until = _least(responded, resolved, overdue_at)
    resolution_soon_until = _least(resolved, overdue_at)
    response_soon_from = None if response is None else occurred + timedelta(microseconds=response * SOON_MICROSECONDS)
    resolution_soon_from = (None if resolution is None
                            else occurred + timedelta(microseconds=resolution * SOON_MICROSECONDS))
    phase_from = occurred if respond_by is None else responded
    resolution_soon_start = _greatest(resolution_soon_from, phase_from)
    return {
        "respond_by": respond_by, "resolve_by": resolve_by, "overdue_at": overdue_at,
        "response_soon_at": response_soon_from if _before(response_soon_from, response_soon_until) else None,
        "response_soon_until": response_soon_until,
        "resolution_soon_at": (resolution_soon_start if resolve_by is not None
                               and _before(resolution_soon_start, resolution_soon_until) else None),
        "resolution_soon_until": resolution_soon_until,
    }


def _during(start: datetime | None, until: datetime | None, clock: datetime) -> bool:
    return start is not None and start <= clock and (until is None or until > clock)


def judged(row: Mapping[str, Any], clock: datetime) -> dict[str, Any]:
    """A clocked complaint's ``sla`` and ``age_seconds`` at ``clock`` (``complaint_clock.JUDGED``)."""
    if row["owner_team"] is None or (row["respond_by"] is None and row["resolve_by"] is None):
        sla = "none"
    elif row["overdue_at"] is not None and row["overdue_at"] <= clock:
        sla = "overdue"
    elif (_during(row["response_soon_at"], row["response_soon_until"], clock)
          or _during(row["resolution_soon_at"], row["resolution_soon_until"], clock)):
        sla = "due_soon"
    else:
        sla = "on_time"
    return {"sla": sla, "age_seconds": (clock - row["occurred_at"]) // timedelta(seconds=1)}


def clocked(row: Mapping[str, Any], clock: datetime) -> dict[str, Any]:
    """``row`` (a complaint with its ``INPUTS``) with its clock's times and its state at ``clock``."""
    timed = {**row, **clock_times(row)}
    return {**timed, **judged(timed, clock)}
