"""The embedded default store: the library's SQLite process recorder plus hash chain and receipts."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent, Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteProcessRecorder

from domain.stores.chain_rows import chain_head, head_to_extend, new_events
from domain.stores.guards import guards_of, refuse_stale
from domain.stores.port import LedgerStore, NotificationRow, PageSource, receipt_rows
from domain.stores.subject_keys import SQLITE_DDL, SQLiteSubjectKeys
from domain.stores.tamper_evidence import VerifyReport, extend_chain

WRITER_PRAGMAS = (
    # Batches of thousands of events touch index pages all over the unique (originator_id,
    # version) index: a 64 MiB page cache instead of 2 MiB keeps them in memory.
    "PRAGMA cache_size = -65536",
    # At the default 1000 pages nearly every large batch commit also ran a checkpoint (copy the
    # WAL into the database and sync it); a 40 MiB WAL checkpoints about ten times less often.
    "PRAGMA wal_autocheckpoint = 10000",
)
RECEIPT_COLUMNS = ("sender", "digest")


class LedgerSQLiteRecorder(SQLiteSubjectKeys, SQLiteProcessRecorder):
    """SQLite store (the embedded default) with chain, receipts and the data subjects' keys."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS event_chain ("
            "notification_id INTEGER PRIMARY KEY, link BLOB NOT NULL, previous_id INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS event_chain_head ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), notification_id INTEGER, events INTEGER, link BLOB)",
            "CREATE TABLE IF NOT EXISTS receipts (key TEXT PRIMARY KEY, sender TEXT, digest TEXT) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS store_identity (id INTEGER PRIMARY KEY CHECK (id = 1), store_id TEXT NOT NULL)",
            "INSERT OR IGNORE INTO store_identity VALUES (1, lower(hex(randomblob(16))))",
            SQLITE_DDL,
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        # A store made before receipts kept their sender and digest gains the columns (its rows: NULL).
        c.execute("SELECT name FROM pragma_table_info('receipts')")
        present = {row[0] for row in c.fetchall()}
        for column in RECEIPT_COLUMNS:
            if column not in present:
                try:
                    c.execute(f"ALTER TABLE receipts ADD COLUMN {column} TEXT")
                except sqlite3.OperationalError as error:  # another writer added it first
                    if "duplicate column" not in str(error):
                        raise

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        for pragma in WRITER_PRAGMAS:
            c.execute(pragma)
        self.insert_new_keys(c, kwargs.get("keys") or ())
        self.refuse_destroyed_keys(c, kwargs.get("sealed_with") or ())
        ids = self._insert_stored_events(c, stored_events)
        guards = guards_of(kwargs)
        if guards:  # the insert took the write lock: no writer can commit until this transaction ends
            c.execute(f"SELECT originator_id, max(originator_version) FROM stored_events WHERE originator_id IN"
                      f" ({','.join('?' * len(guards))}) GROUP BY originator_id", [i.hex for i, _ in guards])
            refuse_stale(guards, {UUID(row[0]): int(row[1]) for row in c.fetchall()})
        tracking: Tracking | None = kwargs.get("tracking")
        if tracking is not None:
            self._insert_tracking(c, tracking)
        c.executemany("INSERT INTO receipts (key, sender, digest) VALUES (?, ?, ?)",
                      receipt_rows(kwargs.get("receipts") or ()))
        if ids:
            c.execute("SELECT notification_id, events, link FROM event_chain_head")
            head = head_to_extend(c.fetchone())
            links, head = extend_chain(head, new_events(ids, stored_events))
            c.executemany("INSERT INTO event_chain VALUES (?, ?, ?)", links)
            c.execute("INSERT OR REPLACE INTO event_chain_head VALUES (1, ?, ?, ?)",
                      (head.position, head.events, head.link))
        return ids

    def _insert_stored_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
        """One ``executemany`` instead of the library's insert per event (it needs each lastrowid).

        The rows get consecutive rowids: the first insert takes the database's write lock, so
        no other writer can interleave, and a rowid is the table's maximum plus one.
        """
        if not stored_events:
            return []
        c.executemany(
            self.insert_events_statement,
            [(s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
              s.originator_version, s.topic, s.state) for s in stored_events],
        )
        c.execute("SELECT max(rowid) FROM stored_events")
        last = int(c.fetchone()[0])
        return list(range(last - len(stored_events) + 1, last + 1))

    def count_receipts(self, prefix: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT count(*) FROM receipts WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff"))
            return int(c.fetchone()[0])

    def existing_receipts(self, keys: Sequence[str]) -> set[str]:
        return set(self._receipts(keys, "key, NULL"))

    def receipt_digests(self, keys: Sequence[str]) -> dict[str, str | None]:
        return self._receipts(keys, "key, digest")

    def _receipts(self, keys: Sequence[str], columns: str) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                c.execute(f"SELECT {columns} FROM receipts WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                found.update((row[0], row[1]) for row in c.fetchall())
        return found

    def select_notification_rows(self, start: int, limit: int) -> list[NotificationRow]:
        """Notifications from ``start`` as plain tuples (id, originator id hex, version, topic, state).

        The same rows as ``select_notifications``, without building a UUID and a Notification
        per event: projections read every event, so that per-row cost dominates a rebuild.
        """
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                " WHERE rowid >= ? ORDER BY rowid LIMIT ?",
                (start, limit),
            )
            return [tuple(row) for row in c.fetchall()]

    def page_source(self) -> PageSource | None:
        """Read-only URI and page query for a reader of its own; None for an in-memory store.

        The casts fix each column's type whatever a row holds (such drivers infer types from the rows).
        """
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            return None
        from domain.stores.chain_verify import read_only_uri

        return PageSource("sqlite", read_only_uri(str(pool.db_name)), (
            "SELECT rowid, CAST(originator_id AS TEXT), originator_version, CAST(topic AS TEXT), CAST(state AS BLOB)"
            " FROM stored_events WHERE rowid >= {start} ORDER BY rowid LIMIT {limit}"))

    def store_identity(self) -> str | None:
        """The random id created with the store (see ``projections.binding``); None on an older store."""
        with self.datastore.transaction(commit=False) as c:
            try:
                c.execute("SELECT store_id FROM store_identity WHERE id = 1")
            except sqlite3.OperationalError:
                return None
            row = c.fetchone()
            return None if row is None else str(row[0])

    def chain_link(self, position: int) -> bytes | None:
        """The hash-chain link stored for ``position``, or None when the store has none there."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT link FROM event_chain WHERE notification_id = ?", (position,))
            row = c.fetchone()
            return None if row is None else bytes(row[0])

    def verify_chain(self) -> VerifyReport:
        """Check the whole log against its chain, in segments read by primary-key ranges (see ``chain_verify``)."""
        from domain.stores import chain_verify  # here: its multiprocessing import is for verify alone

        # One read transaction fixes the head and the highest position: in WAL mode it is one
        # snapshot, so writers committing meanwhile cannot make them disagree; rows up to there
        # never change as the ledger only appends, so the workers' own connections see the same.
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT notification_id, events, link FROM event_chain_head")
            head = chain_head(c.fetchone())
            c.execute("SELECT max(p) FROM (SELECT max(rowid) AS p FROM stored_events"
                      " UNION ALL SELECT max(notification_id) FROM event_chain)")
            highest = int(c.fetchone()[0] or 0)
            pool = self.datastore.pool
            local = partial(chain_verify.sqlite_rows, c)
            workers = None if pool.is_sqlite_memory_mode else chain_verify.sqlite_reader(pool.db_name)
            return chain_verify.verify_segments(workers, highest, head, local_reader=local)


if TYPE_CHECKING:  # the adapter meets the store port (mypy checks it)
    _port: type[LedgerStore] = LedgerSQLiteRecorder
