"""What a batch of commands or feedback messages came to, and the idempotency keys it writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class PositionAlreadyRecorded(Exception):
    """The tracked source position was already processed: the batch is a redelivery."""


@dataclass
class BatchResult:
    """What happened to each command of a batch, by its index in the batch."""

    accepted: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    forbidden: list[tuple[int, str, str]] = field(default_factory=list)
    """(index, rule, reason): refused by the permission table, or for a missing authority."""
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    """(index, reason naming the key): an idempotency key its sender used before for other content
    (``domain.service.receipts``); refused, never skipped."""
    events: int = 0
    position: int | None = None
    """The store position of the batch's last event (None when it wrote none)."""
    withheld: bool = False
    """An all-or-nothing batch with a refused command: nothing of it was recorded, not even the accepted."""


@dataclass(frozen=True)
class Acting:
    """An authenticated person acting through a channel: recorded as the actor, judged by the policy.

    ``index`` answers the questions that cross aggregates (``domain.facts.CrossIndex``)."""

    person: str
    channel: str
    index: Any = None


@dataclass(frozen=True)
class FeedbackOutcome:
    recorded: int
    duplicates: int
    position: int | None = None  # the store position of the last recorded message, when known
    conflicts: tuple[tuple[int, str], ...] = ()
    """(index in the batch, reason naming the ``feedback_id``): recorded before with other content, so refused."""


def line_receipt(command_id: str) -> str:
    return f"line:{command_id}"


def feedback_receipt(feedback_id: str) -> str:
    return f"feedback:{feedback_id}"
