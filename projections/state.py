"""The state of promises and teams as of a business time, as DuckDB table macros.

Every query that needs "the latest terms of each promise", "who is in the team" (or holds its
consent) or "which authorities it holds" at some time reads these macros, so there is one definition
of each.
"""

from __future__ import annotations

import duckdb

STATE_MACROS = (
    """
    CREATE OR REPLACE MACRO promise_state_as_of(as_of) AS TABLE
    SELECT * FROM promise_history WHERE business_at <= as_of
    QUALIFY row_number() OVER (PARTITION BY promise ORDER BY version DESC) = 1
    """,
    # The same rows, found by an anti-join: a query reading a few columns of many promises (the start page's
    # lists, which must not slow down as others propose, docs/brief.md §10) runs in a fraction of the window's time.
    """
    CREATE OR REPLACE MACRO promise_latest_as_of(as_of) AS TABLE
    SELECT * FROM promise_history h WHERE h.business_at <= as_of AND NOT EXISTS (
        SELECT 1 FROM promise_history n
        WHERE n.promise = h.promise AND n.version > h.version AND n.business_at <= as_of)
    """,
    """
    CREATE OR REPLACE MACRO team_members_as_of(as_of) AS TABLE
    SELECT team, person, role, business_at AS since, lead FROM team_membership WHERE business_at <= as_of
    QUALIFY row_number() OVER (PARTITION BY team, person ORDER BY business_at DESC, position DESC) = 1
        AND change = 'added'
    """,
    """
    CREATE OR REPLACE MACRO consent_holders_as_of(as_of) AS TABLE
    SELECT team, person, business_at AS since FROM team_consent_holders WHERE business_at <= as_of
    QUALIFY row_number() OVER (PARTITION BY team, person ORDER BY business_at DESC, position DESC) = 1
        AND change = 'delegated'
    """,
    """
    CREATE OR REPLACE MACRO authorities_as_of(as_of) AS TABLE
    SELECT team, authority, description FROM (
        SELECT team, authority, description, position, business_at, true AS held FROM team_authorities
        WHERE business_at <= as_of
        UNION ALL
        SELECT team, authority, NULL, position, business_at, false FROM authority_revocations
        WHERE business_at <= as_of
    )
    QUALIFY row_number() OVER (PARTITION BY team, authority ORDER BY business_at DESC, position DESC) = 1 AND held
    """,
)


def install(con: duckdb.DuckDBPyConnection) -> None:
    for macro in STATE_MACROS:
        con.execute(macro)
