"""E-mail deliveries: one row per (signal or daily digest, person), an operational table beside the log, never
events (why: ``stores.webhook_tables``). The row's id is its primary key, so every process may try to add it and
one row results; a claim (a lease; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) lets one process at a time send it.

A row holds the person's key, never their address: the address is read from the views when the message is sent,
so a person forgotten meanwhile gets nothing, and a dump of this table holds no personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from domain.stores.operational import SQLTables, sql_access

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore


class MailRow(NamedTuple):
    id: str
    person: str
    about: str  # a signal id, or "digest:YYYY-MM-DD"
    state: str  # pending | sent | failed | skipped
    subject: str
    body: str  # keys, numbers and links only
    created_at: float
    next_at: float
    lease_until: float
    attempts: int
    last_error: str | None
    done_at: float | None


DDL = (
    "CREATE TABLE IF NOT EXISTS {m} (id TEXT PRIMARY KEY, person TEXT NOT NULL, about TEXT NOT NULL,"
    " state TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, created_at {real} NOT NULL,"
    " next_at {real} NOT NULL, lease_until {real} NOT NULL, attempts INTEGER NOT NULL, last_error TEXT,"
    " done_at {real})",
    "CREATE INDEX IF NOT EXISTS {m_index} ON {m} (state, next_at)",
)


class MailTable(SQLTables):
    def known(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.reading() as execute:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                found.update(r[0] for r in execute(self._sql(f"SELECT id FROM {{m}} WHERE id IN ({marks})"), chunk))
        return found

    def add(self, rows: Sequence[MailRow]) -> None:
        with self.transaction() as execute:
            statement = self._sql("INSERT INTO {m} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
            for row in rows:
                execute(statement, row)

    def claim(self, now: float, lease_until: float, limit: int) -> list[MailRow]:
        """Up to ``limit`` due rows, leased to this process until ``lease_until``, their attempt counted; a read
        tells first whether any is due, so an idle look writes nothing (on SQLite a write waits for the write lock)."""
        if not self._read("SELECT 1 FROM {m} WHERE state = 'pending' AND next_at <= ? AND lease_until <= ? LIMIT 1",
                          (now, now)):
            return []
        return [MailRow(*r) for r in self._run(
            "UPDATE {m} SET lease_until = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM {m}"
            " WHERE state = 'pending' AND next_at <= ? AND lease_until <= ?"
            f" ORDER BY next_at, id LIMIT ?{self.skip_locked}) RETURNING *", (lease_until, now, now, limit))]

    def finish(self, claimed: MailRow, state: str, next_at: float, error: str | None, now: float) -> None:
        """End the attempt of a row this process ``claimed``, unless its claim ran out and another process claimed
        it since (``attempts`` moved on): then that process's attempt decides, and this late end is dropped."""
        self._run("UPDATE {m} SET state = ?, next_at = ?, lease_until = 0, last_error = ?, done_at = ?"
                  " WHERE id = ? AND attempts = ? AND state = 'pending'",
                  (state, next_at, error, None if state == "pending" else now, claimed.id, claimed.attempts))

    def forget_done(self, before: float) -> int:
        """Delete the rows that ended (sent, failed or skipped) before ``before``; how many."""
        return len(self._run("DELETE FROM {m} WHERE state <> 'pending' AND done_at < ? RETURNING id", (before,)))

    def rows(self, limit: int = 1000) -> list[MailRow]:
        if self.missing:
            return []
        return [MailRow(*r) for r in self._read("SELECT * FROM {m} ORDER BY created_at DESC, id LIMIT ?", (limit,))]


def mail_in(store: LedgerStore) -> MailTable:
    """The e-mail table of a SQLite or PostgreSQL store (created if missing)."""
    access = sql_access(store, {"m": "mail_deliveries", "m_index": "mail_deliveries_due"})
    if access is None:
        raise TypeError(f"e-mail needs a SQLite or PostgreSQL store, not a {type(store).__name__}")
    return MailTable(access, DDL)
