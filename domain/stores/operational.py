"""Operational tables beside the event log (webhook and e-mail deliveries): the same SQL on SQLite and PostgreSQL.

Such state changes many times a second and is the ledger's plumbing, not the company's history, so it is kept in
plain tables of the store's database rather than as events (see ``stores.webhook_tables``). This module holds
what every such table set shares: one transaction per call, the table names of the store, and creation on first
use (older stores need no migration; a read-only store that lacks them reads as empty).

A call that only reads runs in a read transaction of its own (``_read``, ``reading()``). On SQLite a write transaction
begins ``BEGIN IMMEDIATE`` (``stores.sqlite_busy``): it waits for the write lock, so a read run as one waited out
another process's write (a shell's open transaction) and the delivery loop, reading its endpoints every second,
logged a failure each time. A deferred read transaction never waits in WAL mode and sees one snapshot. Tables
already created are not created again on SQLite (the look is a read), so opening them waits for no writer either.

On PostgreSQL a lock wait that ran out (``lock_timeout``: another session's open transaction holds a table) is
``LockWaitTimeout`` naming the tables, as on SQLite, so the delivery loop says it in one line, not a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from domain.stores.lock_wait import LockWaitTimeout, naming_the_lock

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

Execute = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class SQLAccess:
    """How to reach a store's operational tables: ``transaction()`` (a write) and ``reading()`` (a read, never
    committed) yield ``execute(sql, params) -> rows``; ``present``: the names of the store's tables and indexes
    among ``names`` (SQLite; None: unknown, so creation is always tried)."""

    transaction: Callable[[], AbstractContextManager[Execute]]
    reading: Callable[[], AbstractContextManager[Execute]]
    present: Callable[[Sequence[str]], set[str]] | None
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
        def sqlite_transaction(commit: bool = True) -> Iterator[Execute]:
            with datastore.transaction(commit=commit) as cursor:  # a read: deferred ``BEGIN``, rolled back
                def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
                    cursor.execute(sql, tuple(params))
                    return [tuple(r) for r in cursor.fetchall()]

                yield execute

        def present(wanted: Sequence[str]) -> set[str]:
            with sqlite_transaction(commit=False) as execute:
                marks = ", ".join("?" * len(wanted))
                return {r[0] for r in execute(f"SELECT name FROM sqlite_master WHERE name IN ({marks})", wanted)}

        return SQLAccess(sqlite_transaction, partial(sqlite_transaction, commit=False), present, dict(names), "REAL",
                         "?", "")
    from domain.stores.postgres import LedgerPostgresRecorder  # psycopg: not for a SQLite store, a good part of a start

    if isinstance(store, LedgerPostgresRecorder):
        pg = store.datastore
        events = store.events_table_name
        qualified = {key: f'"{events}_{name}"' if key.endswith("_index") else f'"{pg.schema}"."{events}_{name}"'
                     for key, name in names.items()}
        tables = ", ".join(name for key, name in qualified.items() if not key.endswith("_index"))

        @contextmanager
        def postgres_transaction(writing: bool = True) -> Iterator[Execute]:
            with naming_the_lock(tables, writing=writing), pg.transaction(commit=True) as cursor:
                def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
                    cursor.execute(sql, tuple(params))
                    return [tuple(r.values()) for r in cursor.fetchall()] if cursor.description else []

                yield execute

        # PostgreSQL's reads never wait for a writer's row locks: a read runs as before
        return SQLAccess(postgres_transaction, partial(postgres_transaction, writing=False), None, qualified,
                         "double precision", "%s", " FOR UPDATE SKIP LOCKED")
    return None


class SQLTables:
    """A set of operational tables: created on first use; ``{name}`` placeholders and ``?`` in the SQL are
    the store's table names and parameter mark. ``ddl`` creates the tables and indexes of ``names`` and nothing
    else: where they all exist it is not run (so a later change of a table needs a new step here)."""

    def __init__(self, access: SQLAccess, ddl: Sequence[str]) -> None:
        self.transaction = access.transaction
        self.reading = access.reading
        self.names = access.names
        self.mark = access.mark
        self.skip_locked = access.skip_locked
        self.missing = False
        probe = next(iter(access.names))
        if access.present is not None and access.present(list(self.names.values())) == set(self.names.values()):
            return
        for attempt in range(3):  # two processes creating the tables at once: the later one tries again
            try:
                with self.transaction() as execute:
                    for statement in ddl:
                        execute(self._sql(statement.replace("{real}", access.real)), ())
                return
            except LockWaitTimeout:  # another session holds a table: trying again would wait the bound again
                raise
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
            self._read(f"SELECT count(*) FROM {{{probe}}}")
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

    def _read(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A statement that only reads, in a read transaction (on SQLite it never waits for a writer)."""
        with self.reading() as execute:
            return execute(self._sql(text), params)
