"""What the two complaint signals share: the subject, who sees it and where one acts (docs/brief.md §9)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import duckdb

from projections.complaint_clock import clock_sql
from projections.queries import FEEDBACK_WITH_TEAM, _dicts
from projections.signals.model import Signal


def complaint_signal(kind: str, row: Mapping[str, Any], episode: str, raised: datetime, until: datetime | None,
                     as_of: datetime, because: Mapping[str, Any]) -> Signal:
    """A signal about complaint ``row`` (from ``company_clocks``): keyed by its feedback_id, for
    its team and its client, linking to the team's complaints; ``because`` holds keys and numbers, never text."""
    team = row["owner_team"]
    return Signal(
        kind=kind, subject_type="complaint", subject_key=row["feedback_id"], episode=episode, team=team,
        client=row["client"], raised_at=raised, cleared_at=until if until is not None and until <= as_of else None,
        because={"feedback_id": row["feedback_id"], **because},
        path=f"/teams/{quote(team, safe='')}#complaints",
    )


COMPANY_CLOCKS = """
SELECT k.* EXCLUDE (response), f.client FROM ({clock}) k JOIN feedback f ON f.feedback_id = k.feedback_id
WHERE k.owner_team IS NOT NULL AND (k.response_soon_at IS NOT NULL OR k.resolution_soon_at IS NOT NULL
    OR k.overdue_at IS NOT NULL)
"""


def company_clocks(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[dict[str, Any]]:
    """Every complaint of the company that has been due soon or overdue by ``as_of`` (naive UTC, a real time),
    with its clock: one statement, what the complaint signals are made of. Without the response's text: these
    rows are kept by the signal cache, which a forgotten client's words must not outlive."""
    complaints = (f"SELECT * FROM ({FEEDBACK_WITH_TEAM}) WHERE kind = 'complaint' AND owner_team IN (SELECT team"
                  " FROM team_rules WHERE business_at <= $as_of AND (response_seconds IS NOT NULL"
                  " OR resolution_seconds IS NOT NULL))")  # only teams that ever set a duration can have one
    sql = COMPANY_CLOCKS.format(clock=clock_sql(complaints))
    return _dicts(con.execute(sql, {"as_of": as_of, "clock": as_of}))
