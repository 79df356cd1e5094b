"""One way to run SQL on a table of its own beside a SQLite or PostgreSQL store's events (sign-in sessions,
token uses): operational rows that are no part of the history, so never events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

Run = Callable[[str, tuple[Any, ...], bool], list[Any]]
"""``(sql, params, fetch) -> rows``, in one transaction (committed unless ``fetch``)."""


class SideTable(NamedTuple):
    run: Run
    table: str  # the table's name, schema-qualified on PostgreSQL
    mark: str  # the driver's parameter mark: ``?`` or ``%s``
    real: str  # the column type of a float
    suffix: str  # what follows ``CREATE TABLE ... (columns)`` (SQLite: ``WITHOUT ROWID``)


def side_table(store: LedgerStore, name: str) -> SideTable | None:
    """The table ``name`` of a SQLite or PostgreSQL ``store``; None for another kind of store."""
    from domain.stores.sqlite import LedgerSQLiteRecorder

    if isinstance(store, LedgerSQLiteRecorder):
        datastore = store.datastore

        def run_sqlite(sql: str, params: tuple[Any, ...], fetch: bool) -> list[Any]:
            with datastore.transaction(commit=not fetch) as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall()) if fetch else []

        return SideTable(run_sqlite, name, "?", "REAL", " WITHOUT ROWID")
    from domain.stores.postgres import LedgerPostgresRecorder  # psycopg: not for a SQLite store, a good part of a start

    if isinstance(store, LedgerPostgresRecorder):
        pg = store.datastore

        def run_postgres(sql: str, params: tuple[Any, ...], fetch: bool) -> list[Any]:
            with pg.transaction(commit=not fetch) as cursor:
                cursor.execute(sql, params)
                return [tuple(row.values()) for row in cursor.fetchall()] if fetch else []

        return SideTable(run_postgres, f'"{pg.schema}"."{store.events_table_name}_{name}"', "%s",
                         "double precision", "")
    return None
