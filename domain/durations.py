"""Complaint response and resolution times (docs/brief.md §9): ISO-8601 durations in calendar time.

Only the exact parts are accepted - weeks, days, hours, minutes, seconds (``PT2H``, ``P2D``, ``P1DT12H``) - as
a month or a year has no fixed length, so "answered within P1M" would give a complaint no definite deadline.
Durations are kept as their canonical text (``P1DT12H``), which the views turn back into seconds with the
same ``duration_seconds``: no pydantic on the projector's road.
"""

from __future__ import annotations

import re

_ISO = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_UNIT = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
MAX_SECONDS = 366 * 86400
"""A complaint answered more than a year later is not answered: longer durations are refused."""


def duration_seconds(text: str) -> int:
    """Seconds of an ISO-8601 duration (raises ValueError naming the form when it is not one)."""
    text = text.strip().upper()
    if text.startswith("-"):
        raise ValueError("must be longer than zero")
    found = _ISO.fullmatch(text)
    if found is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError("must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, such as PT2H "
                         "or P2D (months and years have no fixed length)")
    return sum(int(value) * _UNIT[unit] for unit, value in found.groupdict().items() if value)


def canonical_duration(text: str) -> str:
    """The duration as its canonical text (``P1DT2H``), refusing zero, negative and over-a-year ones."""
    seconds = duration_seconds(text)
    if seconds <= 0:
        raise ValueError("must be longer than zero")
    if seconds > MAX_SECONDS:
        raise ValueError("must be at most a year (P366D)")
    return format_duration(seconds)


def format_duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
