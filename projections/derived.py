"""Derived read models: current-state tables recomputed from the facts after each catch-up.

They are pure functions of the fact tables (the same functions the as-of queries use), so
recomputing them is always safe, and a rebuild equals an incremental catch-up.
"""

from __future__ import annotations

import duckdb

from projections import compliance, promise_health, state
from projections.timeline import FOREVER_SQL

CURRENT_STATE_VIEWS = {
    "promise_state": f"SELECT * FROM promise_state_as_of({FOREVER_SQL})",
    "team_members": f"SELECT * FROM team_members_as_of({FOREVER_SQL})",
    "open_complaints": "SELECT f.* FROM feedback f WHERE f.kind = 'complaint' AND NOT EXISTS"
                       " (SELECT 1 FROM feedback_resolutions r WHERE r.feedback_id = f.feedback_id)",
    "unidentified_feedback": "SELECT f.*, NOT EXISTS (SELECT 1 FROM clients c WHERE c.client = f.client)"
                             " AS client_unidentified, f.team IS NOT NULL AND NOT EXISTS"
                             " (SELECT 1 FROM teams t WHERE t.team = f.team) AS team_unknown FROM feedback f"
                             " WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client = f.client)"
                             " OR (f.team IS NOT NULL AND NOT EXISTS (SELECT 1 FROM teams t WHERE t.team = f.team))",
}


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Macros and views over the fact tables; cheap and idempotent, so run on every open."""
    state.install(con)
    compliance.install(con)
    promise_health.install(con)
    for name, sql in CURRENT_STATE_VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the materialised current-state tables (for analysts; the show commands query live)."""
    from projections import economics, experiment_outcomes  # here: a reader that does not refresh starts without

    compliance.materialise(con)
    economics.materialise(con)
    experiment_outcomes.materialise(con)
