"""When each token was last used, in the store's database beside its tables (never events).

A use is plumbing, not company history: as events, every API request would grow the hash-chained log.
So, like the sign-in sessions (``stores.sessions``), it is one row per token in a table of its own that
every server on the same store shares: ``token_uses(token_id, last_used)``, seconds since the epoch.
A later time never goes back (two servers writing at once keep the later). The table is created on
first use (``IF NOT EXISTS``), so stores made before it need no migration; a store opened read-only,
where it cannot be created, reads as no token ever used.

A use is written with a short bound on the wait for a lock (``WAIT``), not the store's (30 s by default): it is
written while a request waits, and another process holding SQLite's write lock would hold the request that long.
Past the bound nothing is written and ``LockWaitTimeout`` says so (``service.token_use`` skips the use).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from domain.stores.side_tables import BRIEF_WAIT

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore
    from domain.stores.side_tables import SideTable


WAIT = BRIEF_WAIT
"""Seconds a use's write waits for a lock at most."""


class TokenUseTable(Protocol):
    def mark_used(self, token_id: str, at: float) -> None: ...
    def last_used(self, token_ids: Sequence[str]) -> dict[str, float]: ...


class MemoryTokenUses:
    """The in-memory store's table (this process only)."""

    def __init__(self) -> None:
        self.rows: dict[str, float] = {}
        self.lock = threading.Lock()

    def mark_used(self, token_id: str, at: float) -> None:
        with self.lock:
            self.rows[token_id] = max(at, self.rows.get(token_id, at))

    def last_used(self, token_ids: Sequence[str]) -> dict[str, float]:
        with self.lock:
            return {key: self.rows[key] for key in token_ids if key in self.rows}


class SQLTokenUses:
    """The table of a SQLite or PostgreSQL store."""

    def __init__(self, found: SideTable) -> None:
        self.found = found
        self.ready = False
        self.lock = threading.Lock()

    def _sql(self, text: str) -> str:
        return text.format(t=self.found.table).replace("?", self.found.mark)

    def _creation(self) -> str:
        return self._sql("CREATE TABLE IF NOT EXISTS {t} (token_id TEXT PRIMARY KEY, last_used "
                         + self.found.real + " NOT NULL)" + self.found.suffix)

    def _create(self) -> None:
        with self.lock:
            if not self.ready:
                self.found.run(self._creation(), (), False)
                self.ready = True

    def mark_used(self, token_id: str, at: float) -> None:
        """Waits at most ``WAIT`` seconds for a lock (the table created in the same transaction the first time)."""
        upsert = self._sql("INSERT INTO {t} AS u VALUES (?, ?) ON CONFLICT (token_id) "
                           "DO UPDATE SET last_used = excluded.last_used WHERE excluded.last_used > u.last_used")
        self.found.brief([*([] if self.ready else [(self._creation(), ())]), (upsert, (token_id, at))], WAIT)
        self.ready = True

    def last_used(self, token_ids: Sequence[str]) -> dict[str, float]:
        if not token_ids:
            return {}
        try:
            self._create()
        except Exception:  # a read-only store without the table: no use recorded yet
            return {}
        marks = ", ".join("?" * len(token_ids))
        rows = self.found.run(self._sql(f"SELECT token_id, last_used FROM {{t}} WHERE token_id IN ({marks})"),
                              tuple(token_ids), True)
        return {key: float(at) for key, at in rows}


_tables: weakref.WeakKeyDictionary[Any, TokenUseTable] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def token_uses_in(store: LedgerStore) -> TokenUseTable:
    """The token-use table of ``store``, one object per store in this process."""
    from domain.stores.memory import MemoryRecorder
    from domain.stores.side_tables import side_table

    with _tables_lock:
        table = _tables.get(store)
        if table is None:
            found = None if isinstance(store, MemoryRecorder) else side_table(store, "token_uses")
            if found is None and not isinstance(store, MemoryRecorder):
                raise TypeError(f"no token-use table for a {type(store).__name__}")
            table = MemoryTokenUses() if found is None else SQLTokenUses(found)
            _tables[store] = table
        return table
