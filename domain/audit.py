"""Audit metadata carried by every event: who, when (business time), why, and from where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Transcoding


@dataclass(frozen=True, slots=True)
class Audit:
    """Business time ``at`` drives as-of queries; the event's own timestamp is when it was recorded.

    ``correlation`` names the input that caused the event (an import line id, a Kafka
    position), so an auditor can trace every fact back to its source.
    """

    at: datetime
    actor: str | None = None
    reason: str | None = None
    correlation: str | None = None
    channel: str | None = None
    """Where the command came in: ``import``, ``api``, ``web``, ``kafka`` or ``file`` (see ``channel_of``)."""

    @property
    def source(self) -> str:
        return channel_of(self.channel, self.correlation)


TRUSTED_CHANNEL = "import"


def channel_of(channel: str | None, correlation: str | None) -> str:
    """The channel of an event: stored explicitly since people act through the API and web; events
    stored before that (and streamed feedback, which keeps its compact stored form) tell it by their
    correlation (``kafka:TOPIC:PARTITION:OFFSET``, ``file:PATH:LINE``); everything else came from the
    trusted operator's import."""
    if channel:
        return channel
    if correlation:
        prefix = correlation.split(":", 1)[0]
        if prefix in ("kafka", "file"):
            return prefix
        if prefix == "stdin":
            return "file"
    return TRUSTED_CHANNEL


class AuditAsDict(Transcoding):
    """Stores an Audit as a small JSON object (business time as ISO-8601 text)."""

    type = Audit
    name = "audit"

    def encode(self, obj: Audit) -> dict[str, Any]:
        return self.fields(obj.at.isoformat(), obj.actor, obj.reason, obj.correlation, obj.channel)

    @staticmethod
    def fields(at: str, actor: str | None = None, reason: str | None = None,
               correlation: str | None = None, channel: str | None = None) -> dict[str, Any]:
        """The stored object, from the business time already written as ISO-8601 text.

        ``channel`` is written only when given, so events recorded without one keep their bytes."""
        stored = {"at": at, "actor": actor, "reason": reason, "correlation": correlation}
        if channel is not None:
            stored["channel"] = channel
        return stored

    def decode(self, data: dict[str, Any]) -> Audit:
        return Audit(
            at=datetime.fromisoformat(data["at"]),
            actor=data["actor"],
            reason=data["reason"],
            correlation=data["correlation"],
            channel=data.get("channel"),
        )
