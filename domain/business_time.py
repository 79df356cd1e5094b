"""The range of business time: every ``at``, ``occurred_at``, ``--as-of`` and retrospective bound.

[1970-01-01, 2200-01-01) UTC is far wider than any real ledger needs, and keeps every period,
ISO week and month around a time a valid date (Python's and DuckDB's dates end at 9999-12-31;
an offset or a period step beyond that used to crash the projections or hide events).
Kept free of pydantic so that the CLI's read commands can use it without loading the models.
"""

from __future__ import annotations

from datetime import UTC, datetime

BUSINESS_TIME_MIN = datetime(1970, 1, 1, tzinfo=UTC)
BUSINESS_TIME_MAX = datetime(2200, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "must be a business time from 1970-01-01 to before 2200-01-01 UTC"


def business_time(value: datetime) -> datetime:
    """A time as UTC (a time without an offset is UTC); ValueError outside the business-time range."""
    try:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00 is past the last representable instant
        raise ValueError(OUT_OF_RANGE) from None
    if not BUSINESS_TIME_MIN <= utc < BUSINESS_TIME_MAX:
        raise ValueError(OUT_OF_RANGE)
    return utc


def parse_as_of(text: str | None) -> datetime | None:
    """An ``--as-of`` (or ``?as_of=``) text as business time: ISO-8601; a time without an offset (or a bare
    date, meaning midnight) is UTC; ValueError when it is no ISO-8601 time or lies outside business time."""
    if text is None:
        return None
    return business_time(datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text))
