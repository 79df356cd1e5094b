"""Webhook endpoints, deliveries and attempts: operational tables in the store's database, never events.

Delivery state changes many times a second (a claim, an attempt, a retry time) and is about the ledger's
plumbing, not about the company: written as events it would grow the hash-chained log with rows no audit
asks for, and a receiver's outage would become history. So, like the sign-in sessions
(``stores.sessions``), it lives in tables of its own beside the log: every process on the same store sees
them, and PostgreSQL's row locks decide which process sends what (``claim``). Times are seconds since the
epoch (processes share them). Tables are created on first use: older stores need no migration.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from domain.stores.operational import Execute, SQLTables, sql_access

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore


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


class WebhookTables(Protocol):
    def add_endpoint(self, row: EndpointRow) -> None: ...
    def endpoints(self) -> list[EndpointRow]: ...
    def set_endpoint_state(self, endpoint_id: str, state: str, reason: str | None) -> bool: ...
    def prime(self, endpoint_id: str, skipped: Sequence[DeliveryRow]) -> bool: ...
    def known_deliveries(self, ids: Sequence[str]) -> set[str]: ...
    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None: ...
    def claim(self, wants: Mapping[str, int], now: float, lease_until: float) -> list[DeliveryRow]: ...
    def finish(self, ends: Sequence[Ending]) -> None: ...
    def deliveries(self, limit: int) -> list[tuple[DeliveryRow, list[AttemptRow]]]: ...


class MemoryWebhooks:
    """The in-memory store's tables (this process only)."""

    def __init__(self) -> None:
        self.endpoint_rows: dict[str, EndpointRow] = {}
        self.delivery_rows: dict[str, DeliveryRow] = {}
        self.attempt_rows: dict[tuple[str, int], AttemptRow] = {}
        self.lock = threading.Lock()

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
                                                          last_status=attempt.status, done_at=_done(attempt, state))

    def deliveries(self, limit: int) -> list[tuple[DeliveryRow, list[AttemptRow]]]:
        with self.lock:
            rows = sorted((d for d in self.delivery_rows.values() if d.state != "skipped"),
                          key=lambda d: (d.created_at, d.id), reverse=True)[:limit]
            return [(d, sorted((a for k, a in self.attempt_rows.items() if k[0] == d.id), key=lambda a: a.number))
                    for d in rows]


def _done(attempt: AttemptRow, state: str) -> float | None:
    """When a delivery ended (None while it is still pending)."""
    return None if state == "pending" else attempt.started_at + (attempt.duration or 0.0)


class SQLWebhooks(SQLTables):
    """The tables of a SQLite or PostgreSQL store; ``{e}``, ``{d}``, ``{a}`` in the SQL name the three tables."""

    def add_endpoint(self, row: EndpointRow) -> None:
        self._run("INSERT INTO {e} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def endpoints(self) -> list[EndpointRow]:
        if self.missing:
            return []
        return [EndpointRow(*r) for r in self._run("SELECT * FROM {e} ORDER BY created_at, id")]

    def set_endpoint_state(self, endpoint_id: str, state: str, reason: str | None) -> bool:
        found = self._run("UPDATE {e} SET state = ?, reason = ?, secret = CASE WHEN ? = 'removed' THEN ''"
                          " ELSE secret END WHERE id = ? AND state <> 'removed' RETURNING id",
                          (state, reason, state, endpoint_id))
        return bool(found)

    def prime(self, endpoint_id: str, skipped: Sequence[DeliveryRow]) -> bool:
        """Mark the endpoint primed and add its backlog's ``skipped`` rows in one transaction: no process ever sees
        it primed without them (it would send the whole backlog); False if another process primed it."""
        with self.transaction() as execute:
            if not execute(self._sql("UPDATE {e} SET primed = 1 WHERE id = ? AND primed = 0 RETURNING id"),
                           (endpoint_id,)):
                return False
            self._insert(execute, skipped)
        return True

    def known_deliveries(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.transaction() as execute:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                found.update(r[0] for r in execute(self._sql(f"SELECT id FROM {{d}} WHERE id IN ({marks})"), chunk))
        return found

    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None:
        with self.transaction() as execute:
            self._insert(execute, rows)

    def _insert(self, execute: Execute, rows: Sequence[DeliveryRow]) -> None:
        statement = self._sql("INSERT INTO {d} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
        for row in rows:
            execute(statement, row)

    def claim(self, wants: Mapping[str, int], now: float, lease_until: float) -> list[DeliveryRow]:
        """Up to ``wants[endpoint]`` due deliveries of each endpoint, leased until ``lease_until``, with an attempt
        row each, in one transaction."""
        claimed: list[DeliveryRow] = []
        statement = self._sql(
            "UPDATE {d} SET lease_until = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM {d}"
            " WHERE endpoint_id = ? AND state = 'pending' AND next_at <= ? AND lease_until <= ?"
            f" ORDER BY next_at, id LIMIT ?{self.skip_locked}) RETURNING *")
        with self.transaction() as execute:
            for endpoint_id, limit in wants.items():
                claimed += [DeliveryRow(*r) for r in execute(statement, (lease_until, endpoint_id, now, now, limit))]
            for row in claimed:  # an attempt left in flight by a process that died is over
                execute(self._sql("UPDATE {a} SET outcome = 'interrupted' WHERE delivery_id = ?"
                                  " AND outcome = 'in_flight'"), (row.id,))
                execute(self._sql("INSERT INTO {a} VALUES (?, ?, ?, NULL, NULL, 'in_flight')"),
                        (row.id, row.attempts, now))
        return claimed

    def finish(self, ends: Sequence[Ending]) -> None:
        """Record each attempt's end and, if the delivery is still this attempt's claim, the delivery's new state.
        A claim that ran out and was taken by another process (``attempts`` moved on) is that process's now: a late
        answer of the old attempt is kept in its attempt row only, never ends or frees the new claim."""
        with self.transaction() as execute:
            for attempt, state, next_at in ends:
                execute(self._sql("UPDATE {a} SET status = ?, duration = ?, outcome = ? WHERE delivery_id = ?"
                                  " AND number = ?"),
                        (attempt.status, attempt.duration, attempt.outcome, attempt.delivery_id, attempt.number))
                execute(self._sql("UPDATE {d} SET state = ?, next_at = ?, lease_until = 0, last_status = ?,"
                                  " done_at = ? WHERE id = ? AND attempts = ? AND state = 'pending'"),
                        (state, next_at, attempt.status, _done(attempt, state), attempt.delivery_id, attempt.number))

    def deliveries(self, limit: int) -> list[tuple[DeliveryRow, list[AttemptRow]]]:
        if self.missing:
            return []
        with self.transaction() as execute:
            rows = [DeliveryRow(*r) for r in execute(self._sql(
                "SELECT * FROM {d} WHERE state <> 'skipped' ORDER BY created_at DESC, id DESC LIMIT ?"), (limit,))]
            attempts: dict[str, list[AttemptRow]] = {row.id: [] for row in rows}
            ids = list(attempts)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                for r in execute(self._sql(f"SELECT * FROM {{a}} WHERE delivery_id IN ({marks}) ORDER BY number"),
                                 chunk):
                    attempts[r[0]].append(AttemptRow(*r))
        return [(row, attempts[row.id]) for row in rows]


DDL = (
    "CREATE TABLE IF NOT EXISTS {e} (id TEXT PRIMARY KEY, url TEXT NOT NULL, team TEXT, kinds TEXT NOT NULL,"
    " format TEXT NOT NULL, secret TEXT NOT NULL, created_at {real} NOT NULL, state TEXT NOT NULL,"
    " primed INTEGER NOT NULL, reason TEXT)",
    "CREATE TABLE IF NOT EXISTS {d} (id TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL, signal_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, state TEXT NOT NULL, payload TEXT NOT NULL, created_at {real} NOT NULL,"
    " next_at {real} NOT NULL, lease_until {real} NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER,"
    " done_at {real})",
    "CREATE INDEX IF NOT EXISTS {d_index} ON {d} (endpoint_id, state, next_at)",
    "CREATE TABLE IF NOT EXISTS {a} (delivery_id TEXT NOT NULL, number INTEGER NOT NULL,"
    " started_at {real} NOT NULL, status INTEGER, duration {real}, outcome TEXT NOT NULL,"
    " PRIMARY KEY (delivery_id, number))",
)
_memory: weakref.WeakKeyDictionary[Any, MemoryWebhooks] = weakref.WeakKeyDictionary()
_memory_lock = threading.Lock()


def webhooks_in(store: LedgerStore) -> WebhookTables:
    """The webhook tables of ``store`` (created if missing)."""
    from domain.stores.memory import MemoryRecorder

    if isinstance(store, MemoryRecorder):
        with _memory_lock:
            return _memory.setdefault(store, MemoryWebhooks())
    access = sql_access(store, {"e": "webhook_endpoints", "d": "webhook_deliveries", "a": "webhook_attempts",
                                "d_index": "webhook_deliveries_due"})
    if access is None:
        raise TypeError(f"no webhook tables for a {type(store).__name__}")
    return SQLWebhooks(access, DDL)
