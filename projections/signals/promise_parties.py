"""Who a promise's signals are for (docs/brief.md §9): the promisor team acts, the promisee sees them too (a team
through ``teams``, a client through its representatives), linked to the promise's page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import duckdb

from projections.signals.model import Signal
from projections.timeline import iso_date

PARTIES = """
SELECT p.promise, p.promisor, p.promisee, t.team IS NOT NULL AS promisee_is_team
FROM promise_state_as_of($as_of) p
LEFT JOIN (SELECT DISTINCT team FROM teams WHERE business_at <= $as_of) t ON t.team = p.promisee
"""


def parties(con: duckdb.DuckDBPyConnection, as_of: datetime) -> dict[str, tuple[str, str, bool]]:
    """Each promise's (promisor, promisee, whether the promisee is a team) as of ``as_of``."""
    return {row[0]: row[1:] for row in con.execute(PARTIES, {"as_of": as_of}).fetchall()}


def promise_signal(kind: str, promise: str, party: tuple[str, str, bool], period_start: datetime,
                   raised_at: datetime, cleared_at: datetime | None, because: Mapping[str, Any]) -> Signal:
    """A signal about ``promise``; its episode is the period it is about (an ISO date)."""
    promisor, promisee, promisee_is_team = party
    return Signal(
        kind=kind, subject_type="promise", subject_key=promise, episode=iso_date(period_start) or "",
        team=promisor, client=None if promisee_is_team else promisee, raised_at=raised_at,
        because={"period_start": iso_date(period_start), **because}, path=f"/promises/{quote(promise, safe='')}",
        cleared_at=cleared_at, teams=frozenset({promisee}) if promisee_is_team else frozenset(),
    )
