"""One way to run SQL on a table of its own beside a SQLite or PostgreSQL store's events (sign-in sessions,
token uses): operational rows that are no part of the history, so never events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from domain.stores.lock_wait import naming_the_lock

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

Run = Callable[[str, tuple[Any, ...], bool], list[Any]]
"""``(sql, params, fetch) -> rows``, in one transaction (committed unless ``fetch``)."""
BRIEF_WAIT = 0.2
"""Seconds bookkeeping written while a request waits (a token's use, a session's last-seen time) waits for a lock."""
Brief = Callable[[Sequence[tuple[str, tuple[Any, ...]]], float], None]
"""``(statements, seconds)``: the statements in one write transaction that waits at most ``seconds`` for a lock,
else ``LockWaitTimeout`` and nothing written (bookkeeping a request must not wait the store's lock bound for)."""


class SideTable(NamedTuple):
    run: Run
    brief: Brief
    table: str  # the table's name, schema-qualified on PostgreSQL
    mark: str  # the driver's parameter mark: ``?`` or ``%s``
    real: str  # the column type of a float
    suffix: str  # what follows ``CREATE TABLE ... (columns)`` (SQLite: ``WITHOUT ROWID``)


def side_table(store: LedgerStore, name: str) -> SideTable | None:
    """The table ``name`` of a SQLite or PostgreSQL ``store``; None for another kind of store."""
    from domain.stores.sqlite import LedgerSQLiteRecorder
    from domain.stores.sqlite_busy import brief_transaction

    if isinstance(store, LedgerSQLiteRecorder):
        datastore = store.datastore

        def run_sqlite(sql: str, params: tuple[Any, ...], fetch: bool) -> list[Any]:
            with datastore.transaction(commit=not fetch) as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall()) if fetch else []

        def brief_sqlite(statements: Sequence[tuple[str, tuple[Any, ...]]], seconds: float) -> None:
            with brief_transaction(datastore, seconds) as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)

        return SideTable(run_sqlite, brief_sqlite, name, "?", "REAL", " WITHOUT ROWID")
    from domain.stores.postgres import LedgerPostgresRecorder  # psycopg: not for a SQLite store, a good part of a start

    if isinstance(store, LedgerPostgresRecorder):
        pg = store.datastore

        def run_postgres(sql: str, params: tuple[Any, ...], fetch: bool) -> list[Any]:
            with pg.transaction(commit=not fetch) as cursor:
                cursor.execute(sql, params)
                return [tuple(row.values()) for row in cursor.fetchall()] if fetch else []

        def brief_postgres(statements: Sequence[tuple[str, tuple[Any, ...]]], seconds: float) -> None:
            bound = f"{max(1, round(seconds * 1000))}ms"
            with naming_the_lock(table, within=seconds), pg.transaction(commit=True) as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", (bound,))
                for sql, params in statements:
                    cursor.execute(sql, params)

        table = f'"{pg.schema}"."{store.events_table_name}_{name}"'
        return SideTable(run_postgres, brief_postgres, table, "%s", "double precision", "")
    return None
