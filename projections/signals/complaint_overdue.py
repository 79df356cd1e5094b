"""``complaint_overdue`` (docs/brief.md §9): a complaint missed its response or resolution deadline.

Raised the moment the first deadline passes unmet (time alone, no event needed); it stays until the complaint is
resolved, even once it has been responded to late. One episode per complaint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.signals.complaint_signal import company_clocks, complaint_signal
from projections.signals.model import Signal
from projections.timeline import iso


def overdue(clocks: list[dict[str, Any]], as_of: datetime) -> list[Signal]:
    """The episodes of ``clocks`` (``complaint_signal.company_clocks``) raised by ``as_of``."""
    found = []
    for row in clocks:
        raised = row["overdue_at"]
        if raised is not None and raised <= as_of:
            deadline = "response" if raised == row["respond_by"] else "resolution"
            found.append(complaint_signal("complaint_overdue", row, "", raised, row["resolved_at"], as_of, {
                "deadline": deadline, "due_at": iso(raised),
                "overdue_seconds": int((as_of - raised).total_seconds())}))
    return found


def complaint_overdue(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    """The kind alone, as a source of its own (the declared source computes the clocks once for both kinds)."""
    return overdue(company_clocks(con, as_of), as_of)
