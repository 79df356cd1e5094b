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


class AuditAsDict(Transcoding):
    """Stores an Audit as a small JSON object (business time as ISO-8601 text)."""

    type = Audit
    name = "audit"

    def encode(self, obj: Audit) -> dict[str, Any]:
        return self.fields(obj.at.isoformat(), obj.actor, obj.reason, obj.correlation)

    @staticmethod
    def fields(at: str, actor: str | None = None, reason: str | None = None,
               correlation: str | None = None) -> dict[str, Any]:
        """The stored object, from the business time already written as ISO-8601 text."""
        return {"at": at, "actor": actor, "reason": reason, "correlation": correlation}

    def decode(self, data: dict[str, Any]) -> Audit:
        return Audit(
            at=datetime.fromisoformat(data["at"]),
            actor=data["actor"],
            reason=data["reason"],
            correlation=data["correlation"],
        )
