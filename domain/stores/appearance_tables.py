"""When each signal first appeared to delivery, and when delivery last judged the signals: operational tables
beside the log (why not events: ``stores.webhook_tables``), for SQLite, PostgreSQL and the in-memory store.

A signal's ``raised_at`` is business time: readings, feedback and observations may be backdated, so a signal can
appear today with a ``raised_at`` weeks ago. Delivery's 7 days are counted from when it appeared, which only the
delivery processes can tell (``notifications.webhooks.appearing``): they record it here once per signal (the first
writer wins, so every process and every restart agrees), and mark each round of judging (``last_round``).
A row's ``raised_at`` is the latest its signal was seen with: several kinds keep their id while backdated data moves
their ``raised_at`` later, and a row deleted while its signal is still current would make it appear (and be
delivered) again. Times are seconds since the epoch.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from domain.stores.operational import Execute, SQLTables, sql_access

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

CHUNK = 500
"""Rows per statement: far below SQLite's and PostgreSQL's limits on parameters."""
WHOLE = 20 * CHUNK
"""Past this many signals asked for, the whole table is read at once (it holds ~98 days of signals)."""


class AppearanceRow(NamedTuple):
    signal_id: str
    raised_at: float  # the latest seen (kept to know when the row is no longer needed)
    appeared_at: float


class AppearanceTable(Protocol):
    def last_round(self) -> float | None: ...
    def appeared(self, signal_ids: Sequence[str]) -> dict[str, AppearanceRow]: ...
    def record(self, rows: Sequence[AppearanceRow], round_at: float) -> dict[str, AppearanceRow]: ...
    def forget_raised_before(self, before: float) -> int: ...


class SQLAppearances(SQLTables):
    """``{s}``: one row per signal; ``{r}``: the one row ``last`` holding the latest round's time."""

    def last_round(self) -> float | None:
        if self.missing:
            return None
        found = self._read("SELECT at FROM {r} WHERE name = 'last'")
        return float(found[0][0]) if found else None

    def appeared(self, signal_ids: Sequence[str]) -> dict[str, AppearanceRow]:
        """The recorded row of each of these signals that has one."""
        if self.missing:
            return {}
        with self.reading() as execute:
            return self._appeared(execute, signal_ids)

    def _appeared(self, execute: Execute, signal_ids: Sequence[str]) -> dict[str, AppearanceRow]:
        found: dict[str, AppearanceRow] = {}
        columns = "SELECT signal_id, raised_at, appeared_at FROM {s}"
        if len(signal_ids) > WHOLE:  # a process's first round: one read of the table, not hundreds of look-ups
            wanted = set(signal_ids)
            return {r[0]: AppearanceRow(r[0], float(r[1]), float(r[2])) for r in execute(self._sql(columns), ())
                    if r[0] in wanted}
        for start in range(0, len(signal_ids), CHUNK):
            chunk = signal_ids[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            found.update((r[0], AppearanceRow(r[0], float(r[1]), float(r[2]))) for r in execute(
                self._sql(f"{columns} WHERE signal_id IN ({marks})"), chunk))
        return found

    def record(self, rows: Sequence[AppearanceRow], round_at: float) -> dict[str, AppearanceRow]:
        """Add the rows no process added yet and move the others' ``raised_at`` later (never back, never their
        appearance), mark ``round_at`` as the latest round (never moving it back), in one transaction; the row now
        on record for each row's signal (another process's appearance, if it was first). In the order of their
        ids: two processes moving the same rows lock them in one order, so neither waits for the other forever."""
        rows = sorted(rows)
        with self.transaction() as execute:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                values = ", ".join(["(?, ?, ?)"] * len(chunk))
                execute(self._sql(f"INSERT INTO {{s}} VALUES {values} ON CONFLICT (signal_id) DO UPDATE"
                                  " SET raised_at = excluded.raised_at WHERE {s}.raised_at < excluded.raised_at"),
                        [field for row in chunk for field in row])
            execute(self._sql("INSERT INTO {r} VALUES ('last', ?) ON CONFLICT DO NOTHING"), (round_at,))
            execute(self._sql("UPDATE {r} SET at = ? WHERE name = 'last' AND at < ?"), (round_at, round_at))
            return self._appeared(execute, [row.signal_id for row in rows])

    def forget_raised_before(self, before: float) -> int:
        """Delete the rows of signals raised before ``before`` (too old ever to be delivered); how many."""
        return len(self._run("DELETE FROM {s} WHERE raised_at < ? RETURNING signal_id", (before,)))


class MemoryAppearances:
    """The in-memory store's tables (this process only), on a dictionary under a lock."""

    def __init__(self) -> None:
        self.rows: dict[str, AppearanceRow] = {}
        self.latest: float | None = None
        self.lock = threading.Lock()

    def last_round(self) -> float | None:
        with self.lock:
            return self.latest

    def appeared(self, signal_ids: Sequence[str]) -> dict[str, AppearanceRow]:
        with self.lock:
            return {i: self.rows[i] for i in signal_ids if i in self.rows}

    def record(self, rows: Sequence[AppearanceRow], round_at: float) -> dict[str, AppearanceRow]:
        with self.lock:
            for row in rows:
                kept = self.rows.setdefault(row.signal_id, row)
                if kept.raised_at < row.raised_at:
                    self.rows[row.signal_id] = kept._replace(raised_at=row.raised_at)
            self.latest = round_at if self.latest is None else max(self.latest, round_at)
            return {row.signal_id: self.rows[row.signal_id] for row in rows}

    def forget_raised_before(self, before: float) -> int:
        with self.lock:
            gone = [i for i, row in self.rows.items() if row.raised_at < before]
            for signal_id in gone:
                del self.rows[signal_id]
            return len(gone)


DDL = (
    "CREATE TABLE IF NOT EXISTS {s} (signal_id TEXT PRIMARY KEY, raised_at {real} NOT NULL,"
    " appeared_at {real} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {s_index} ON {s} (raised_at)",
    "CREATE TABLE IF NOT EXISTS {r} (name TEXT PRIMARY KEY, at {real} NOT NULL)",
)
_memory: weakref.WeakKeyDictionary[Any, MemoryAppearances] = weakref.WeakKeyDictionary()
_memory_lock = threading.Lock()


def appearances_in(store: LedgerStore) -> AppearanceTable:
    """The appearance tables of ``store`` (created if missing)."""
    from domain.stores.memory import MemoryRecorder

    if isinstance(store, MemoryRecorder):
        with _memory_lock:
            return _memory.setdefault(store, MemoryAppearances())
    access = sql_access(store, {"s": "signal_appearances", "r": "delivery_rounds",
                                "s_index": "signal_appearances_raised"})
    if access is None:
        raise TypeError(f"no appearance tables for a {type(store).__name__}")
    return SQLAppearances(access, DDL)
