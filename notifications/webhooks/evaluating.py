"""Which signals become deliveries: each signal that appeared in the last 7 days (``appearing``: when delivery could
first see it, not its business ``raised_at``), to each active endpoint whose filters it passes, once (the delivery's
id is its primary key, so every process may try to add it).

A new endpoint gets only the signals that appear after it was added: the first process to see it (``prime``) sets
the signals already there aside as ``skipped`` rows, unless they appeared after the endpoint's creation, in the
same transaction that marks it primed (a process that saw it primed first would send the whole backlog).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.stores.webhook_tables import DeliveryRow, EndpointRow, WebhookTables
from notifications.webhooks.endpoints import Endpoint
from notifications.webhooks.messages import delivery_id
from projections.signals.model import Signal

EPOCH = datetime(1970, 1, 1)


def epoch(moment: datetime) -> float:
    """Seconds since the epoch of a naive UTC or an aware time; a naive one by subtraction, the same float as
    ``timestamp()`` at a fifth of its cost (a restarted delivery round converts every current signal's)."""
    return (moment - EPOCH).total_seconds() if moment.tzinfo is None else moment.timestamp()


def add_new_deliveries(tables: WebhookTables, rows: Sequence[EndpointRow], signals: Sequence[Signal],
                       news: Mapping[str, float], now: float, public_url: str, known: set[str]) -> int:
    """Add the deliveries these signals call for that no process added yet; how many are to be sent.
    ``news``: when each signal still news appeared (``Appearances.news``); the others are not delivered.
    ``known`` remembers the ids this process already saw in the table (so they are not asked for again); it keeps
    only those the signals still call for, so it does not grow for as long as the process runs."""
    recent = [(s, news[s.id]) for s in signals if s.id in news]
    payloads: dict[str, str] = {}
    wanted_ids: set[str] = set()
    candidates: list[DeliveryRow] = []

    def delivery(signal: Signal, state: str, endpoint_id: str) -> DeliveryRow:
        if signal.id not in payloads:  # one body per signal, whatever the number of endpoints
            payloads[signal.id] = json.dumps(signal.as_json(public_url), separators=(",", ":"), ensure_ascii=False)
        return DeliveryRow(delivery_id(endpoint_id, signal.id), endpoint_id, signal.id, signal.kind, state,
                           payloads[signal.id], now, now, 0.0, 0, None, None)

    for row in rows:
        if row.state != "active":
            continue
        endpoint = Endpoint.of(row)
        wanted = [(signal, appeared) for signal, appeared in recent
                  if endpoint.wants(signal.kind, signal.audience_teams)]
        if not row.primed:
            backlog = [delivery(signal, "skipped", row.id) for signal, appeared in wanted
                       if appeared < row.created_at]
            if not tables.prime(row.id, backlog):  # primed and set aside in one transaction
                continue  # another process is setting its backlog aside: next round
            known.update(d.id for d in backlog)
        ids = [(signal, delivery_id(row.id, signal.id)) for signal, _ in wanted]
        wanted_ids.update(i for _, i in ids)
        candidates += [delivery(signal, "pending", row.id) for signal, i in ids if i not in known]
    known.intersection_update(wanted_ids)
    if not candidates:
        return 0
    present = tables.known_deliveries([c.id for c in candidates])
    fresh = [c for c in candidates if c.id not in present]
    tables.add_deliveries(fresh)
    known.update(c.id for c in candidates)
    return len(fresh)
