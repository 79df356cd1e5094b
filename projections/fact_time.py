"""The latest fact as of a business time: what an as-of answer's facts are the same for.

Every fact of the views carries the business time of the event it came from, and ``event_log`` holds every
event with it; so as of any moment from an event's business time until the next event's, an answer reads the
same facts. Parts of an answer judged at no moment (everything but a complaint's clock) can then be kept per
latest fact time rather than computed for every moment asked.
"""

from __future__ import annotations

from datetime import datetime

import duckdb


def latest_fact_time(con: duckdb.DuckDBPyConnection, as_of: datetime) -> datetime | None:
    """The business time of the latest event at or before ``as_of`` (None: no event yet)."""
    return position_and_latest(con, as_of)[1]


def position_and_latest(con: duckdb.DuckDBPyConnection, as_of: datetime) -> tuple[int, datetime | None]:
    """The views position (their latest event's store position: the views tracking position) and the latest fact
    time as of ``as_of``, in one statement (one plan, one scan: a kept answer's key costs little)."""
    found = con.execute("SELECT coalesce(max(position), 0), max(business_at) FILTER (business_at <= ?)"
                        " FROM event_log", [as_of]).fetchone()
    return (0, None) if found is None else (int(found[0]), found[1])
