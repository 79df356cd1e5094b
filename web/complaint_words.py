"""A complaint's clock in words for the pages (docs/brief.md §9 "Pages show the age and the state in words"):
"open 5 h · overdue by 3 h", "open 20 min · answer due in 1 h 40 min", from the fields ``team show`` gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.durations import duration_seconds


def span(seconds: float) -> str:
    """A duration the way people say it: "40 min", "3 h 10 min", "2 d 4 h" (the two largest units)."""
    minutes = max(0, int(seconds // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "min")) if n]
    return " ".join(parts[:2]) if parts else "under a minute"


def duration_words(duration: str | None) -> str:
    """A rule's ISO-8601 duration (``PT2H``) as people say it ("2 h"); "no set time" when there is none."""
    return span(duration_seconds(duration)) if duration else "no set time"


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def complaint_clock(c: dict[str, Any]) -> str:
    """The age and the state of an open complaint, in words (empty when the reader got no clock)."""
    occurred, age = _at(c.get("occurred_at")), c.get("age_seconds")
    if occurred is None or age is None:
        return ""
    words = f"open {span(age)}"
    now = occurred + timedelta(seconds=age)
    respond_by, resolve_by, responded = _at(c.get("respond_by")), _at(c.get("resolve_by")), _at(c.get("responded_at"))
    answer_missed = respond_by is not None and (responded or now) > respond_by
    if c.get("sla") == "overdue":
        missed = respond_by if answer_missed and respond_by is not None else resolve_by or now
        what = "answer" if missed == respond_by else "resolution"
        return f"{words} · overdue by {span((now - missed).total_seconds())} ({what} was due)"
    following = respond_by if respond_by is not None and responded is None else resolve_by
    if c.get("sla") == "none" or following is None:
        return words
    what = "answer" if following == respond_by and responded is None else "resolution"
    soon = " soon" if c.get("sla") == "due_soon" else ""
    return f"{words} · {what} due{soon}, in {span((following - now).total_seconds())}"


def resolved_clock(c: dict[str, Any]) -> str:
    """How long a resolved complaint took, and whether its deadlines were kept, in words: "resolved after 5 h,
    a deadline was missed" (nothing about deadlines when its team set none)."""
    seconds = c.get("resolution_seconds")
    if seconds is None:
        return "resolved"
    words = f"resolved after {span(seconds)}"
    if c.get("deadline_missed"):
        return f"{words}, a deadline was missed"
    return f"{words}, within its deadlines" if c.get("respond_by") or c.get("resolve_by") else words
