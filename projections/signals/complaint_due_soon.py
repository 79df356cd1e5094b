"""``complaint_due_soon`` (docs/brief.md §9): 75% of the time to a complaint's deadline is used.

One episode per deadline (``response``, then ``resolution``): raised the moment 75% of its time is used, with no
event needed, and cleared by a response (the response deadline's), a resolution, or the deadline passing (it is
then ``complaint_overdue``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.signals.complaint_signal import company_clocks, complaint_signal
from projections.signals.model import Signal
from projections.timeline import iso


def due_soon(clocks: list[dict[str, Any]], as_of: datetime) -> list[Signal]:
    """The episodes of ``clocks`` (``complaint_signal.company_clocks``) raised by ``as_of``."""
    found = []
    for row in clocks:
        for deadline in ("response", "resolution"):
            raised, until = row[f"{deadline}_soon_at"], row[f"{deadline}_soon_until"]
            if raised is not None and raised <= as_of:
                by = row["respond_by" if deadline == "response" else "resolve_by"]
                found.append(complaint_signal("complaint_due_soon", row, deadline, raised, until, as_of, {
                    "deadline": deadline, "due_at": iso(by),
                    "within_seconds": int((by - row["occurred_at"]).total_seconds())}))
    return found


def complaint_due_soon(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    """The kind alone, as a source of its own (the declared source computes the clocks once for both kinds)."""
    return due_soon(company_clocks(con, as_of), as_of)
