"""E-mail deliveries as `mail deliveries --json` shows them: who (the person's key, never the address), what (the
signal or the digest day, the subject), and how it went; never a body."""

from __future__ import annotations

from typing import Any

from domain.stores.mail_tables import mail_in
from domain.stores.port import LedgerStore
from notifications.webhooks.listing import iso_seconds


def mail_deliveries(store: LedgerStore, limit: int) -> list[dict[str, Any]]:
    return [{
        "mail_id": r.id, "person": r.person, "about": r.about,
        "kind": "digest" if r.about.startswith("digest:") else "critical", "subject": r.subject, "state": r.state,
        "created_at": iso_seconds(r.created_at), "done_at": iso_seconds(r.done_at),
        "next_attempt_at": iso_seconds(r.next_at) if r.state == "pending" else None,
        "attempts": r.attempts, "last_error": r.last_error,
    } for r in mail_in(store).rows(limit)]
