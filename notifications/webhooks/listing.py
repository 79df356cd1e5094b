"""Deliveries and their attempts as `webhook deliveries --json` shows them (never a body)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.stores.port import LedgerStore
from domain.stores.webhook_tables import webhooks_in


def iso_seconds(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def deliveries(store: LedgerStore, limit: int) -> list[dict[str, Any]]:
    return [{
        "webhook_id": d.id, "endpoint_id": d.endpoint_id, "signal_id": d.signal_id, "kind": d.kind,
        "state": d.state, "created_at": iso_seconds(d.created_at), "done_at": iso_seconds(d.done_at),
        "next_attempt_at": iso_seconds(d.next_at) if d.state == "pending" else None,
        "attempts": [{"number": a.number, "at": iso_seconds(a.started_at), "status": a.status,
                      "duration_ms": None if a.duration is None else round(a.duration * 1000, 1),
                      "outcome": a.outcome} for a in attempts],
    } for d, attempts in webhooks_in(store).deliveries(limit)]
