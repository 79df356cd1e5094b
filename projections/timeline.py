"""Business time in the views: naive UTC timestamps, and how answers print them."""

from __future__ import annotations

from datetime import UTC, date, datetime

FOREVER = datetime(9999, 12, 31, 23, 59, 59)
FOREVER_SQL = f"TIMESTAMP '{FOREVER:%Y-%m-%d %H:%M:%S}'"


def as_of_value(as_of: datetime | None) -> datetime:
    """The views store naive UTC; None means "now and everything recorded"."""
    if as_of is None:
        return FOREVER
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    return as_of


def iso(value: datetime | None) -> str | None:
    """A stored UTC time as ISO-8601 with an explicit offset."""
    return None if value is None else value.replace(tzinfo=UTC).isoformat()


def iso_date(value: datetime | date | None) -> str | None:
    """A period start as its calendar date (periods begin at midnight UTC)."""
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def moment_of(as_of: datetime) -> datetime:
    """The moment an answer describes (naive UTC): the as-of time, or the clock's now for FOREVER ("now and
    everything recorded"), so "the current period" is the one in progress on the calendar, not in year 9999."""
    return datetime.now(UTC).replace(tzinfo=None) if as_of == FOREVER else as_of
