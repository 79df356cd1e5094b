"""Business times relative to the real clock, for what a person sends through the API or the web: docs/brief.md
§10 refuses a person's time more than 5 minutes ahead, and a reading, feedback or observation more than 90 days
back (the operator's import keeps fixed dates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def ago(**delta: float) -> str:
    """Now minus ``delta`` (``days=``, ``hours=``, ``minutes=``...), as ISO-8601 UTC text."""
    return (datetime.now(UTC) - timedelta(**delta)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
