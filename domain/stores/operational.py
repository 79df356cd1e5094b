"""Operational tables beside the event log (webhook and e-mail deliveries): the same SQL on SQLite and PostgreSQL.

Such state changes many times a second and is the ledger's plumbing, not the company's history, so it is kept in
plain tables of the store's database rather than as events (see ``stores.webhook_tables``). This module holds
what every such table set shares: one transaction per call, the table names of the store, and creation on first
use (older stores need no migration; a read-only store that lacks them reads as empty).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

Execute = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class SQLAccess:
    """How to reach a store's operational tables: ``transaction()`` yields ``execute(sql, params) -> rows``."""

    transaction: Callable[[], AbstractContextManager[Execute]]
    names: dict[str, str]
    real: str  # the type of seconds since the epoch
    mark: str  # the parameter mark
    skip_locked: str  # PostgreSQL: a row another process is claiming is passed over


def sql_access(store: LedgerStore, names: Mapping[str, str]) -> SQLAccess | None:
    """``names``: placeholder -> table name (an index's placeholder ends in ``_index``); None for a memory store."""
    from domain.stores.sqlite import LedgerSQLiteRecorder

    if isinstance(store, LedgerSQLiteRecorder):
        datastore = store.datastore

        @contextmanager
        def sqlite_transaction() -> Iterator[Execute]:
            with datastore.transaction(commit=True) as cursor:
                def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
                    cursor.execute(sql, tuple(params))
                    return [tuple(r) for r in cursor.fetchall()]

                yield execute

        return SQLAccess(sqlite_transaction, dict(names), "REAL", "?", "")
    from domain.stores.postgres import LedgerPostgresRecorder  # psycopg: not for a SQLite store, a good part of a start

    if isinstance(store, LedgerPostgresRecorder):
        pg = store.datastore
        events = store.events_table_name

        @contextmanager
        def postgres_transaction() -> Iterator[Execute]:
            with pg.transaction(commit=True) as cursor:
                def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
                    cursor.execute(sql, tuple(params))
                    return [tuple(r.values()) for r in cursor.fetchall()] if cursor.description else []

                yield execute

        qualified = {key: f'"{events}_{name}"' if key.endswith("_index") else f'"{pg.schema}"."{events}_{name}"'
                     for key, name in names.items()}
        return SQLAccess(postgres_transaction, qualified, "double precision", "%s", " FOR UPDATE SKIP LOCKED")
    return None


class SQLTables:
    """A set of operational tables: created on first use; ``{name}`` placeholders and ``?`` in the SQL are
    the store's table names and parameter mark."""

    def __init__(self, access: SQLAccess, ddl: Sequence[str]) -> None:
        self.transaction = access.transaction
        self.names = access.names
        self.mark = access.mark
        self.skip_locked = access.skip_locked
        self.missing = False
        probe = next(iter(access.names))
        for attempt in range(3):  # two processes creating the tables at once: the later one tries again
            try:
                with self.transaction() as execute:
                    for statement in ddl:
                        execute(self._sql(statement.replace("{real}", access.real)), ())
                return
            except Exception:
                if self._read_only(probe):
                    return
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def _read_only(self, probe: str) -> bool:
        """A reader's store (opened read-only) cannot create the tables: fine, if they exist; if not, it reads
        as having no rows (``missing``)."""
        try:
            self._run(f"SELECT count(*) FROM {{{probe}}}")
        except Exception as error:
            if "no such table" not in str(error):
                return False
            self.missing = True
        return True

    def _sql(self, text: str) -> str:
        return text.format(**self.names).replace("?", self.mark)

    def _run(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as execute:
            return execute(self._sql(text), params)
