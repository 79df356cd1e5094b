"""Sign-in sessions of the web workspace, in the store's database beside its tables (never events).

A session is a row: the SHA-256 of the browser's random cookie value (never the value itself), the
person, the id of the token they signed in with (the token is checked again on every request, so
revoking it ends the session) and when it was last seen. Every server on the same store sees the
same rows, so a session survives a restart and a browser may go to any server of a scale-out.
Sessions hold no personal data and are no part of the history: sign-out and expiry delete them.
The table is created on first use (``IF NOT EXISTS``): stores made before it need no migration.

A touch (the last-seen time) waits for a lock at most ``side_tables.BRIEF_WAIT``, not the store's bound: it is
written while a request waits. Past it nothing is written and ``LockWaitTimeout`` says so (``web.sessions``).
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from domain.stores.side_tables import BRIEF_WAIT, Brief

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore


class SessionRow(NamedTuple):
    person: str
    token_id: str
    last_seen: float  # seconds since the epoch: servers share it, so not a monotonic clock


class SessionStore(Protocol):
    def put_session(self, key: str, row: SessionRow) -> None: ...
    def session(self, key: str) -> SessionRow | None: ...
    def touch_session(self, key: str, now: float) -> None: ...  # may raise ``LockWaitTimeout`` (see above)
    def delete_session(self, key: str) -> None: ...
    def delete_sessions_before(self, last_seen: float) -> None: ...


class MemorySessions:
    """The in-memory store's sessions (one table per store, in this process only)."""

    def __init__(self) -> None:
        self.rows: dict[str, SessionRow] = {}
        self.lock = threading.Lock()

    def put_session(self, key: str, row: SessionRow) -> None:
        with self.lock:
            self.rows[key] = row

    def session(self, key: str) -> SessionRow | None:
        with self.lock:
            return self.rows.get(key)

    def touch_session(self, key: str, now: float) -> None:
        with self.lock:
            if key in self.rows:
                self.rows[key] = self.rows[key]._replace(last_seen=now)

    def delete_session(self, key: str) -> None:
        with self.lock:
            self.rows.pop(key, None)

    def delete_sessions_before(self, last_seen: float) -> None:
        with self.lock:
            for key in [k for k, row in self.rows.items() if row.last_seen < last_seen]:
                del self.rows[key]


class SQLSessions:
    """The sessions table of a SQLite or PostgreSQL store (``paramstyle``: ``?`` or ``%s``)."""

    def __init__(self, run: Any, brief: Brief, table: str, ddl: str, mark: str) -> None:
        self.run = run  # (sql, params, fetch) -> rows, one transaction
        self.brief = brief
        self.table = table
        self.mark = mark
        run(ddl, (), False)

    def _sql(self, text: str) -> str:
        return text.format(t=self.table).replace("?", self.mark)

    def put_session(self, key: str, row: SessionRow) -> None:
        self.run(self._sql("INSERT INTO {t} VALUES (?, ?, ?, ?)"), (key, *row), False)

    def session(self, key: str) -> SessionRow | None:
        rows = self.run(self._sql("SELECT person, token_id, last_seen FROM {t} WHERE id_hash = ?"), (key,), True)
        return SessionRow(*rows[0]) if rows else None

    def touch_session(self, key: str, now: float) -> None:
        self.brief([(self._sql("UPDATE {t} SET last_seen = ? WHERE id_hash = ?"), (now, key))], BRIEF_WAIT)

    def delete_session(self, key: str) -> None:
        self.run(self._sql("DELETE FROM {t} WHERE id_hash = ?"), (key,), False)

    def delete_sessions_before(self, last_seen: float) -> None:
        self.run(self._sql("DELETE FROM {t} WHERE last_seen < ?"), (last_seen,), False)


COLUMNS = "(id_hash TEXT PRIMARY KEY, person TEXT NOT NULL, token_id TEXT NOT NULL, last_seen {real} NOT NULL)"
_memory: weakref.WeakKeyDictionary[Any, MemorySessions] = weakref.WeakKeyDictionary()
_memory_lock = threading.Lock()


def sessions_in(store: LedgerStore) -> SessionStore:
    """The sessions table of ``store`` (created if missing)."""
    from domain.stores.memory import MemoryRecorder
    from domain.stores.side_tables import side_table

    if isinstance(store, MemoryRecorder):
        with _memory_lock:
            return _memory.setdefault(store, MemorySessions())
    found = side_table(store, "web_sessions")
    if found is None:
        raise TypeError(f"no sessions table for a {type(store).__name__}")
    ddl = f"CREATE TABLE IF NOT EXISTS {found.table} " + COLUMNS.format(real=found.real) + found.suffix
    return SQLSessions(found.run, found.brief, found.table, ddl, found.mark)
