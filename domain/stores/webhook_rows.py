"""The rows of the webhook tables (``stores.webhook_tables``): endpoints, deliveries, attempts, and how an attempt
ended. Times are seconds since the epoch."""

from __future__ import annotations

from typing import NamedTuple


class EndpointRow(NamedTuple):
    id: str
    url: str
    team: str | None
    kinds: str  # comma-separated; "" for every kind
    format: str  # standard | slack
    secret: str  # sealed (``domain.personal_data`` envelope); "" once removed
    created_at: float
    state: str  # active | disabled | removed
    primed: int  # 1 once the signals active when it was added were set aside (``notifications.webhooks.evaluating``)
    reason: str | None  # why it is disabled


class DeliveryRow(NamedTuple):
    id: str  # the ``webhook-id``
    endpoint_id: str
    signal_id: str
    kind: str
    state: str  # pending | delivered | failed | skipped
    payload: str  # the body sent, the same on every attempt (keys and numbers only)
    created_at: float
    next_at: float
    lease_until: float
    attempts: int
    last_status: int | None
    done_at: float | None


class AttemptRow(NamedTuple):
    delivery_id: str
    number: int
    started_at: float
    status: int | None
    duration: float | None
    outcome: str  # in_flight | ok | http_error | timeout | unreachable | refused | interrupted


class Ending(NamedTuple):
    """How an attempt ended, and so its delivery: ``state`` pending (then due again at ``next_at``), delivered or
    failed."""

    attempt: AttemptRow
    state: str
    next_at: float


def done_at(attempt: AttemptRow, state: str) -> float | None:
    """When a delivery ended (None while it is still pending)."""
    return None if state == "pending" else attempt.started_at + (attempt.duration or 0.0)
