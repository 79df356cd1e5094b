"""Feedback that raises a real ``client_voice_shift`` signal now: ten steady weeks of complaints ending two weeks
ago, then a rise in the last complete week. ``history`` is the steady part, ``rise`` the lines that raise it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

STABLE = [3, 2, 4, 3, 2, 3, 4, 2, 3, 3]
RISE = 12


def _monday(now: datetime) -> datetime:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return day - timedelta(days=day.weekday())


def _line(client: str, team: str, week: int, n: int, start: datetime) -> dict[str, Any]:
    at = (start + timedelta(weeks=week, days=n % 5, hours=1 + n % 20, minutes=n // 20)).isoformat() + "Z"
    key = f"cv-{client}-{week}-{n}"
    return {"type": "RecordFeedback", "id": key, "feedback_id": key, "client": client, "kind": "complaint",
            "channel": "app", "text": "Parcel late again", "team": team, "occurred_at": at}


def history(client: str, team: str = "delivery", now: datetime | None = None) -> list[dict[str, Any]]:
    start = _monday(now or datetime.now(UTC)) - timedelta(weeks=len(STABLE) + 1)
    return [_line(client, team, week, n, start) for week, count in enumerate(STABLE) for n in range(count)]


def rise(client: str, team: str = "delivery", now: datetime | None = None) -> list[dict[str, Any]]:
    start = _monday(now or datetime.now(UTC)) - timedelta(weeks=len(STABLE) + 1)
    return [_line(client, team, len(STABLE), n, start) for n in range(RISE)]
