"""What a batch of commands or feedback messages came to, and the idempotency keys it writes."""

from __future__ import annotations

from dataclasses import dataclass, field


class PositionAlreadyRecorded(Exception):
    """The tracked source position was already processed: the batch is a redelivery."""


@dataclass
class BatchResult:
    """What happened to each command of a batch, by its index in the batch."""

    accepted: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    events: int = 0


@dataclass(frozen=True)
class FeedbackOutcome:
    recorded: int
    duplicates: int


def line_receipt(command_id: str) -> str:
    return f"line:{command_id}"


def feedback_receipt(feedback_id: str) -> str:
    return f"feedback:{feedback_id}"
