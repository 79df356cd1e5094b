"""The event store: the library's SQLite and PostgreSQL process recorders, plus a hash chain and receipts.

Both extras are written inside the same transaction as the events they belong to:
- the hash chain (see ``tamper_evidence``) - after the insert, under the store's write lock,
  so concurrent writers still produce one unbroken chain in notification order;
- receipts - one row per idempotency key (an import line ``id``, a ``feedback_id``); a key
  already present makes the whole transaction fail, so nothing is recorded twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from eventsourcing.persistence import StoredEvent, Tracking
from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteCursor, SQLiteProcessRecorder
from psycopg.sql import SQL, Identifier

from domain.tamper_evidence import GENESIS_HEAD, ChainHead, ChainRow, NewEvent, VerifyReport, extend_chain, verify_rows

PAGE = 5000
LAST_TABLE = "ledger_events_receipts"  # created last: when it exists, the whole store does
NotificationRow = tuple[int, str, int, str, bytes]


class LedgerSQLiteRecorder(SQLiteProcessRecorder):
    """SQLite store (the embedded default) with chain and receipts."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS event_chain ("
            "notification_id INTEGER PRIMARY KEY, link BLOB NOT NULL, previous_id INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS event_chain_head ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), notification_id INTEGER, events INTEGER, link BLOB)",
            "CREATE TABLE IF NOT EXISTS receipts (key TEXT PRIMARY KEY) WITHOUT ROWID",
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        ids = self._insert_stored_events(c, stored_events)
        tracking: Tracking | None = kwargs.get("tracking")
        if tracking is not None:
            self._insert_tracking(c, tracking)
        receipts: Iterable[str] = kwargs.get("receipts") or ()
        c.executemany("INSERT INTO receipts VALUES (?)", [(key,) for key in receipts])
        if ids:
            c.execute("SELECT notification_id, events, link FROM event_chain_head")
            row = c.fetchone()
            head = ChainHead(row[0], row[1], bytes(row[2])) if row else GENESIS_HEAD
            links, head = extend_chain(head, _new_events(ids, stored_events))
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
        found: set[str] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                c.execute(f"SELECT key FROM receipts WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                found.update(row[0] for row in c.fetchall())
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
            return [tuple(row) for row in c.fetchall()]  # type: ignore[misc]

    def verify_chain(self) -> VerifyReport:
        statement = (
            "SELECT pos, oid, ver, topic, state, link, previous_id FROM ("
            " SELECT e.rowid AS pos, e.originator_id AS oid, e.originator_version AS ver, e.topic, e.state, c.link,"
            " c.previous_id FROM stored_events e LEFT JOIN event_chain c ON c.notification_id = e.rowid"
            " WHERE e.rowid > ?"
            " UNION ALL"
            " SELECT c.notification_id, NULL, NULL, NULL, NULL, c.link, c.previous_id FROM event_chain c"
            " WHERE c.notification_id > ? AND NOT EXISTS"
            " (SELECT 1 FROM stored_events e WHERE e.rowid = c.notification_id)"
            ") ORDER BY pos LIMIT ?"
        )

        def pages() -> Iterator[Sequence[ChainRow]]:
            after = 0
            while True:
                with self.datastore.transaction(commit=False) as c:
                    c.execute(statement, (after, after, PAGE))
                    rows = [tuple(r) for r in c.fetchall()]
                if not rows:
                    return
                yield rows  # type: ignore[misc]
                after = rows[-1][0]

        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT notification_id, events, link FROM event_chain_head")
            row = c.fetchone()
        return verify_rows(pages(), _head(row))


class LedgerPostgresRecorder(PostgresProcessRecorder):
    """PostgreSQL store (production) with chain and receipts.

    The library takes an EXCLUSIVE lock on the events table before inserting, so reading
    the last link and appending new ones after the insert is serialised across writers.
    """

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events",
                 tracking_table_name: str = "notification_tracking") -> None:
        super().__init__(datastore, events_table_name=events_table_name, tracking_table_name=tracking_table_name)
        schema = Identifier(self.datastore.schema)
        self.chain_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_chain"))
        self.head_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_chain_head"))
        self.receipts_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_receipts"))
        self.events_table = SQL("{}.{}").format(schema, Identifier(events_table_name))
        self.sql_create_statements.extend([
            SQL("CREATE TABLE IF NOT EXISTS {} (notification_id bigint PRIMARY KEY, link bytea NOT NULL,"
                " previous_id bigint NOT NULL)").format(self.chain_table),
            SQL("CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY CHECK (id = 1), notification_id bigint,"
                " events bigint, link bytea)").format(self.head_table),
            SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY)").format(self.receipts_table),
        ])

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        receipts = list(kwargs.get("receipts") or ())
        if receipts:
            curs.execute(SQL("INSERT INTO {} SELECT unnest(%s::text[])").format(self.receipts_table), (receipts,))

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = list(super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs) or [])
        if ids:
            curs.execute(SQL("SELECT notification_id, events, link FROM {}").format(self.head_table))
            row = curs.fetchone()
            head = ChainHead(row["notification_id"], row["events"], bytes(row["link"])) if row else GENESIS_HEAD
            links, head = extend_chain(head, _new_events(ids, stored_events))
            curs.execute(
                SQL("INSERT INTO {} SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::bigint[])").format(
                    self.chain_table),
                ([i for i, _, _ in links], [link for _, link, _ in links], [p for _, _, p in links]),
            )
            curs.execute(
                SQL("INSERT INTO {} VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET"
                    " notification_id = excluded.notification_id, events = excluded.events, link = excluded.link"
                    ).format(self.head_table),
                (head.position, head.events, head.link),
            )
        return ids

    def count_receipts(self, prefix: str) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT count(*) AS n FROM {} WHERE starts_with(key, %s)").format(self.receipts_table),
                         (prefix,))
            row = curs.fetchone()
            return int(row["n"]) if row else 0

    def existing_receipts(self, keys: Sequence[str]) -> set[str]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT key FROM {} WHERE key = ANY(%s)").format(self.receipts_table), (list(keys),))
            return {row["key"] for row in curs.fetchall()}

    def select_notification_rows(self, start: int, limit: int) -> list[NotificationRow]:
        """See ``LedgerSQLiteRecorder.select_notification_rows``."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {}"
                    " WHERE notification_id >= %s ORDER BY notification_id LIMIT %s").format(self.events_table),
                (start, limit),
            )
            return [
                (r["notification_id"], r["originator_id"].hex, r["originator_version"], r["topic"], bytes(r["state"]))
                for r in curs.fetchall()
            ]

    def verify_chain(self) -> VerifyReport:
        statement = SQL(
            "SELECT coalesce(e.notification_id, c.notification_id) AS pos, e.originator_id, e.originator_version,"
            " e.topic, e.state, c.link, c.previous_id FROM {events} e FULL OUTER JOIN {chain} c"
            " ON c.notification_id = e.notification_id"
            " WHERE coalesce(e.notification_id, c.notification_id) > %s ORDER BY 1 LIMIT %s"
        ).format(events=self.events_table, chain=self.chain_table)

        def pages() -> Iterator[Sequence[ChainRow]]:
            after = 0
            while True:
                with self.datastore.get_connection() as conn, conn.cursor() as curs:
                    curs.execute(statement, (after, PAGE))
                    rows = [
                        (r["pos"], r["originator_id"], r["originator_version"], r["topic"],
                         r["state"], r["link"], r["previous_id"])
                        for r in curs.fetchall()
                    ]
                if not rows:
                    return
                yield rows
                after = rows[-1][0]

        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT notification_id, events, link FROM {}").format(self.head_table))
            row = curs.fetchone()
        return verify_rows(pages(), _head(None if row is None else tuple(row.values())))


def _new_events(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[NewEvent]:
    return [(i, s.originator_id, s.originator_version, s.topic, s.state)
            for i, s in zip(ids, stored_events, strict=True)]


def _head(row: Sequence[Any] | None) -> ChainHead | None:
    """The stored head row, or None when it is missing (or too damaged to read)."""
    try:
        return None if row is None else ChainHead(int(row[0]), int(row[1]), bytes(row[2]))
    except (TypeError, ValueError):
        return ChainHead(-1, -1, b"")


def store_environment(url: str) -> dict[str, str]:
    """The library's environment for a store URL (SQLAlchemy's conventions for SQLite paths)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ValueError(f"store {url!r}: use sqlite:///relative/path.db or sqlite:////absolute/path.db")
        path = Path(unquote(url[len("sqlite:///"):]))
        if not path.name:
            raise ValueError(f"store {url!r} names no database file")
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "30",
            "PROCESS_RECORDER_TOPIC": "domain.event_store:LedgerSQLiteRecorder",
        }
    if parts.scheme in ("postgresql", "postgres"):
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        schema = query.get("schema", "public")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": schema,
            "PROCESS_RECORDER_TOPIC": "domain.event_store:LedgerPostgresRecorder",
        }
        if prepare_schema(env, schema):
            env["CREATE_TABLE"] = "false"
        return env
    raise ValueError(f"store {url!r}: the scheme must be sqlite or postgresql")


def prepare_schema(env: dict[str, str], schema: str) -> bool:
    """Create the PostgreSQL schema if missing; True when the ledger's tables already exist in it.

    Skipping the library's DDL on an existing store matters: its ``CREATE OR REPLACE FUNCTION``
    makes two processes opening the store at once fail with "tuple concurrently updated".
    """
    import psycopg

    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None, autocommit=True,
    ) as conn:
        if schema != "public":
            # Another process may create it in the same instant: IF NOT EXISTS is not atomic.
            with contextlib.suppress(psycopg.errors.UniqueViolation):
                conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{LAST_TABLE}"',)).fetchone()
        return bool(row and row[0])
