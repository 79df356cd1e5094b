"""The answers of the show commands, computed from the fact tables as of a business time.

Each answer lives in its own module (``promise_answer``, ``team_answer``, ``client_view``); this module names
them, and the shared pieces other modules read, in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.answer_rows import dicts as _dicts
from projections.complaint_pages import OPEN_COMPLAINTS_LIMIT, RESOLVED_LIMIT, open_complaint, resolved_complaint
from projections.complaint_pages import complaint_fields as _complaint
from projections.feedback_sql import FEEDBACK_TALLIES, FEEDBACK_WITH_TEAM, OWNED_FEEDBACK, feedback_by_period
from projections.promise_answer import authority_gaps, compliance_rows, promise_view
from projections.team_answer import TEAM_CORE, team_view

__all__ = ["FEEDBACK_TALLIES", "FEEDBACK_WITH_TEAM", "OPEN_COMPLAINTS_LIMIT", "OWNED_FEEDBACK", "RESOLVED_LIMIT",
           "TEAM_CORE", "_complaint", "_dicts", "authority_gaps", "compliance_rows", "experiment_view",
           "feedback_by_period", "open_complaint", "promise_view", "resolved_complaint", "team_view"]


def experiment_view(con: duckdb.DuckDBPyConnection, experiment: str, as_of: datetime) -> dict[str, Any] | None:
    from projections.adoptions import adoptions
    from projections.experiments import experiments  # here: the statistics modules are for this view alone

    found = experiments(con, as_of, experiment, history=True)
    return {**found[0], "adoptions": adoptions(con, experiment, as_of)} if found else None
