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
from typing import TYPE_CHECKING, Any, Protocol

from domain.stores.operational import Execute, SQLTables, sql_access
from domain.stores.webhook_memory import MemoryWebhooks
from domain.stores.webhook_rows import AttemptRow, DeliveryRow, Ending, EndpointRow, done_at

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore


class WebhookTables(Protocol):
    def add_endpoint(self, row: EndpointRow) -> None: ...
    def endpoints(self) -> list[EndpointRow]: ...
    def set_endpoint_state(self, endpoint_id: str, state: str, reason: str | None) -> bool: ...
    def prime(self, endpoint_id: str, skipped: Sequence[DeliveryRow]) -> bool: ...
    def known_deliveries(self, ids: Sequence[str]) -> set[str]: ...
    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None: ...
    def claim(self, wants: Mapping[str, int], now: float, lease_until: float) -> list[DeliveryRow]: ...
    def finish(self, ends: Sequence[Ending]) -> None: ...
    def finish_and_claim(self, ends: Sequence[Ending], wants: Mapping[str, int], now: float,
                         lease_until: float) -> list[DeliveryRow]: ...
    def deliveries(self, limit: int) -> list[tuple[DeliveryRow, list[AttemptRow]]]: ...
    def forget_done(self, before: float) -> int: ...


class SQLWebhooks(SQLTables):
    """The tables of a SQLite or PostgreSQL store; ``{e}``, ``{d}``, ``{a}`` in the SQL name the three tables."""

    def add_endpoint(self, row: EndpointRow) -> None:
        self._run("INSERT INTO {e} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def endpoints(self) -> list[EndpointRow]:
        if self.missing:
            return []
        return [EndpointRow(*r) for r in self._read("SELECT * FROM {e} ORDER BY created_at, id")]

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
        with self.reading() as execute:
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
        return self.finish_and_claim((), wants, now, lease_until)

    def finish(self, ends: Sequence[Ending]) -> None:
        """Record each attempt's end and, if the delivery is still this attempt's claim, the delivery's new state.
        A claim that ran out and was taken by another process (``attempts`` moved on) is that process's now: a late
        answer of the old attempt is kept in its attempt row only, never ends or frees the new claim."""
        self.finish_and_claim(ends, {}, 0.0, 0.0)

    def finish_and_claim(self, ends: Sequence[Ending], wants: Mapping[str, int], now: float,
                         lease_until: float) -> list[DeliveryRow]:
        """``finish(ends)`` then ``claim(wants, …)`` in one transaction: the sender's one write per round, if it has
        an end to write or a delivery is due (a read tells first: an idle round writes nothing, see ``_due``)."""
        wants = self._due(wants, now)
        if not ends and not wants:
            return []
        claimed: list[DeliveryRow] = []
        statement = self._sql(
            "UPDATE {d} SET lease_until = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM {d}"
            " WHERE endpoint_id = ? AND state = 'pending' AND next_at <= ? AND lease_until <= ?"
            f" ORDER BY next_at, id LIMIT ?{self.skip_locked}) RETURNING *")
        with self.transaction() as execute:
            for attempt, state, next_at in ends:
                execute(self._sql("UPDATE {a} SET status = ?, duration = ?, outcome = ? WHERE delivery_id = ?"
                                  " AND number = ?"),
                        (attempt.status, attempt.duration, attempt.outcome, attempt.delivery_id, attempt.number))
                execute(self._sql("UPDATE {d} SET state = ?, next_at = ?, lease_until = 0, last_status = ?,"
                                  " done_at = ? WHERE id = ? AND attempts = ? AND state = 'pending'"),
                        (state, next_at, attempt.status, done_at(attempt, state), attempt.delivery_id, attempt.number))
            for endpoint_id, limit in wants.items():
                claimed += [DeliveryRow(*r) for r in execute(statement, (lease_until, endpoint_id, now, now, limit))]
            for row in claimed:  # an attempt left in flight by a process that died is over
                execute(self._sql("UPDATE {a} SET outcome = 'interrupted' WHERE delivery_id = ?"
                                  " AND outcome = 'in_flight'"), (row.id,))
                execute(self._sql("INSERT INTO {a} VALUES (?, ?, ?, NULL, NULL, 'in_flight')"),
                        (row.id, row.attempts, now))
        return claimed

    def _due(self, wants: Mapping[str, int], now: float) -> dict[str, int]:
        """The ``wants`` of the endpoints that have a delivery due at ``now``, by a read: the sender looks every
        second, and on SQLite a write waits for the write lock another process may hold."""
        if not wants:
            return {}
        marks = ", ".join("?" * len(wants))
        due = {r[0] for r in self._read(f"SELECT DISTINCT endpoint_id FROM {{d}} WHERE endpoint_id IN ({marks})"
                                        " AND state = 'pending' AND next_at <= ? AND lease_until <= ?",
                                        (*wants, now, now))}
        return {key: n for key, n in wants.items() if key in due}

    def deliveries(self, limit: int) -> list[tuple[DeliveryRow, list[AttemptRow]]]:
        if self.missing:
            return []
        with self.reading() as execute:
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

    def forget_done(self, before: float) -> int:
        """Delete the deliveries that ended (or were set aside) before ``before``, with their attempts; how many."""
        ended = "SELECT id FROM {d} WHERE state <> 'pending' AND COALESCE(done_at, created_at) < ?"
        with self.transaction() as execute:
            execute(self._sql(f"DELETE FROM {{a}} WHERE delivery_id IN ({ended})"), (before,))
            return len(execute(self._sql(f"DELETE FROM {{d}} WHERE id IN ({ended}) RETURNING id"), (before,)))


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
