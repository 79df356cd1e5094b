"""Derived read models: current-state tables recomputed from the facts after each catch-up.

They are pure functions of the fact tables (the same functions the as-of queries use), so
recomputing them is always safe, and a rebuild equals an incremental catch-up.
"""

from __future__ import annotations

import duckdb

from projections import compliance, economics, experiments
from projections.timeline import FOREVER

CURRENT_STATE_VIEWS = {
    "promise_state": "SELECT * FROM promise_history QUALIFY row_number() OVER"
                     " (PARTITION BY promise ORDER BY version DESC) = 1",
    "team_members": "SELECT team, person, role, business_at AS since FROM team_membership QUALIFY row_number() OVER"
                    " (PARTITION BY team, person ORDER BY business_at DESC, position DESC) = 1 AND change = 'added'",
    "open_complaints": "SELECT f.* FROM feedback f WHERE f.kind = 'complaint' AND NOT EXISTS"
                       " (SELECT 1 FROM feedback_resolutions r WHERE r.feedback_id = f.feedback_id)",
}


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Macros and views; cheap and idempotent, so run on every open."""
    compliance.install(con)
    for name, sql in CURRENT_STATE_VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    install(con)
    compliance.materialise(con)
    economics.materialise(con)
    experiments.materialise(con, FOREVER)
