"""The in-memory store's webhook tables (this process only): the same behaviour as ``SQLWebhooks``, on
dictionaries under a lock."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from domain.stores.webhook_rows import AttemptRow, DeliveryRow, Ending, EndpointRow, done_at


class MemoryWebhooks:
    """The in-memory store's tables (this process only)."""

    def __init__(self) -> None:
        self.endpoint_rows: dict[str, EndpointRow] = {}
        self.delivery_rows: dict[str, DeliveryRow] = {}
        self.attempt_rows: dict[tuple[str, int], AttemptRow] = {}
        self.lock = threading.RLock()

    def add_endpoint(self, row: EndpointRow) -> None:
        with self.lock:
            self.endpoint_rows[row.id] = row

    def endpoints(self) -> list[EndpointRow]:
        with self.lock:
            return sorted(self.endpoint_rows.values(), key=lambda e: (e.created_at, e.id))

    def set_endpoint_state(self, endpoint_id: str, state: str, reason: str | None) -> bool:
        with self.lock:
            row = self.endpoint_rows.get(endpoint_id)
            if row is None or row.state == "removed":
                return False
            secret = "" if state == "removed" else row.secret
            self.endpoint_rows[endpoint_id] = row._replace(state=state, reason=reason, secret=secret)
            return True

    def prime(self, endpoint_id: str, skipped: Sequence[DeliveryRow]) -> bool:
        with self.lock:
            row = self.endpoint_rows.get(endpoint_id)
            if row is None or row.primed:
                return False
            self.endpoint_rows[endpoint_id] = row._replace(primed=1)
            for delivery in skipped:
                self.delivery_rows.setdefault(delivery.id, delivery)
            return True

    def known_deliveries(self, ids: Sequence[str]) -> set[str]:
        with self.lock:
            return {i for i in ids if i in self.delivery_rows}

    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None:
        with self.lock:
            for row in rows:
                self.delivery_rows.setdefault(row.id, row)

    def claim(self, wants: Mapping[str, int], now: float, lease_until: float) -> list[DeliveryRow]:
        """Up to ``wants[endpoint]`` due deliveries of each endpoint, leased until ``lease_until``."""
        with self.lock:
            claimed = []
            for endpoint_id, limit in wants.items():
                due = sorted((d for d in self.delivery_rows.values() if d.endpoint_id == endpoint_id
                              and d.state == "pending" and d.next_at <= now and d.lease_until <= now),
                             key=lambda d: (d.next_at, d.id))[:limit]
                for row in due:
                    for key, attempt in self.attempt_rows.items():
                        if key[0] == row.id and attempt.outcome == "in_flight":
                            self.attempt_rows[key] = attempt._replace(outcome="interrupted")
                    row = row._replace(lease_until=lease_until, attempts=row.attempts + 1)
                    self.delivery_rows[row.id] = row
                    self.attempt_rows[(row.id, row.attempts)] = AttemptRow(row.id, row.attempts, now, None, None,
                                                                            "in_flight")
                    claimed.append(row)
            return claimed

    def finish(self, ends: Sequence[Ending]) -> None:
        with self.lock:
            for attempt, state, next_at in ends:
                self.attempt_rows[(attempt.delivery_id, attempt.number)] = attempt
                row = self.delivery_rows[attempt.delivery_id]
                if row.attempts != attempt.number or row.state != "pending":
                    continue  # the claim was lost to another claimer: its attempt decides (``SQLWebhooks.finish``)
                self.delivery_rows[row.id] = row._replace(state=state, next_at=next_at, lease_until=0.0,
                                                          last_status=attempt.status, done_at=done_at(attempt, state))

    def finish_and_claim(self, ends: Sequence[Ending], wants: Mapping[str, int], now: float,
                         lease_until: float) -> list[DeliveryRow]:
        with self.lock:
            self.finish(ends)
            return self.claim(wants, now, lease_until)

    def deliveries(self, limit: int) -> list[tuple[DeliveryRow, list[AttemptRow]]]:
        with self.lock:
            rows = sorted((d for d in self.delivery_rows.values() if d.state != "skipped"),
                          key=lambda d: (d.created_at, d.id), reverse=True)[:limit]
            return [(d, sorted((a for k, a in self.attempt_rows.items() if k[0] == d.id), key=lambda a: a.number))
                    for d in rows]

    def forget_done(self, before: float) -> int:
        with self.lock:
            gone = {d.id for d in self.delivery_rows.values()
                    if d.state != "pending" and (d.done_at if d.done_at is not None else d.created_at) < before}
            for delivery_id in gone:
                del self.delivery_rows[delivery_id]
            for key in [k for k in self.attempt_rows if k[0] in gone]:
                del self.attempt_rows[key]
            return len(gone)
