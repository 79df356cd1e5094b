"""The production store: the library's PostgreSQL process recorder plus hash chain and receipts."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresProcessRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from domain.stores.chain_rows import chain_head, head_to_extend, new_events
from domain.stores.guards import guards_of, refuse_stale
from domain.stores.lock_wait import waiting_once
from domain.stores.pg_connect import connect_kwargs, settings_query
from domain.stores.port import LedgerStore, NotificationRow, PageSource, receipt_rows
from domain.stores.subject_keys import PostgresSubjectKeys
from domain.stores.tamper_evidence import VerifyReport, extend_chain

INSERT_CHUNK = 5000
"""Events per INSERT statement: one statement of 50,000 events (a whole upload of results) never returned in the
library's pipeline mode (psycopg waited for results while the server waited for more input), so a larger batch is
inserted in statements of this many, each synced before the next, in the same transaction."""


class LedgerPostgresRecorder(PostgresSubjectKeys, PostgresProcessRecorder):
    """PostgreSQL store (production) with chain, receipts and the data subjects' keys.

    The library takes an EXCLUSIVE lock on the events table before inserting, so reading
    the last link and appending new ones after the insert is serialised across writers.
    """

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events",
                 tracking_table_name: str = "notification_tracking") -> None:
        super().__init__(datastore, events_table_name=events_table_name, tracking_table_name=tracking_table_name)
        self._chunked = threading.local()  # the ids of a batch inserted in chunks, for the chain (this thread's)
        schema = Identifier(self.datastore.schema)
        self.chain_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_chain"))
        self.head_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_chain_head"))
        self.receipts_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_receipts"))
        self.events_table = SQL("{}.{}").format(schema, Identifier(events_table_name))
        self.identity_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_identity"))
        self.identity_regclass = f'"{self.datastore.schema}"."{events_table_name}_identity"'
        self.keys_table = SQL("{}.{}").format(schema, Identifier(events_table_name + "_subject_keys"))
        self.sql_create_statements.extend([
            SQL("CREATE TABLE IF NOT EXISTS {} (notification_id bigint PRIMARY KEY, link bytea NOT NULL,"
                " previous_id bigint NOT NULL)").format(self.chain_table),
            SQL("CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY CHECK (id = 1), notification_id bigint,"
                " events bigint, link bytea)").format(self.head_table),
            SQL("CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY CHECK (id = 1), store_id text NOT NULL)"
                ).format(self.identity_table),
            SQL("INSERT INTO {} VALUES (1, replace(gen_random_uuid()::text, '-', '')) ON CONFLICT DO NOTHING"
                ).format(self.identity_table),
            SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, sender text, digest text)").format(
                self.receipts_table),
            # Created last: when it exists, the whole store does (``postgres_schema.prepare_schema``).
            self.keys_table_ddl(self.keys_table),
        ])

    def events_what(self) -> str:
        """The events table as a lock wait's message names it."""
        return f"the events table {self.events_table.as_string()}"

    def tracking_what(self) -> str:
        return f"the tracking table {self.tracking_table_name!r}"

    # The library's methods it retries ten times, each failing once on a lock wait that ran out (``lock_wait``).
    insert_events = waiting_once(PostgresProcessRecorder.insert_events, events_what, writing=True)
    select_events = waiting_once(PostgresProcessRecorder.select_events, events_what, writing=False)
    select_notifications = waiting_once(PostgresProcessRecorder.select_notifications, events_what, writing=False)
    max_notification_id = waiting_once(PostgresProcessRecorder.max_notification_id, events_what, writing=False)
    insert_tracking = waiting_once(PostgresProcessRecorder.insert_tracking, tracking_what, writing=True)
    max_tracking_id = waiting_once(PostgresProcessRecorder.max_tracking_id, tracking_what, writing=False)
    has_tracking_id = waiting_once(PostgresProcessRecorder.has_tracking_id, tracking_what, writing=False)

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self.insert_new_keys(curs, kwargs.get("keys") or ())  # key rows before the events' lock, as every writer
        self.refuse_destroyed_keys(curs, kwargs.get("sealed_with") or ())
        super()._insert_events(curs, stored_events, **kwargs)
        guards = guards_of(kwargs)
        if guards:  # under the lock the insert takes anyway (taken here first), so no writer commits meanwhile
            self._lock_table(curs)
            curs.execute(SQL("SELECT originator_id, max(originator_version) AS version FROM {} WHERE originator_id"
                             " = ANY(%s) GROUP BY originator_id").format(self.events_table), ([i for i, _ in guards],))
            refuse_stale(guards, {row["originator_id"]: int(row["version"]) for row in curs.fetchall()})
        if stored_events:
            # Refuse a damaged head here, before the insert: the library re-raises an error from
            # ``_fetch_ids_after_insert_events`` only after its transaction block has committed.
            curs.execute(SQL("SELECT notification_id, events, link FROM {}").format(self.head_table))
            row = curs.fetchone()
            head_to_extend(None if row is None else (row["notification_id"], row["events"], row["link"]))
        receipts = receipt_rows(kwargs.get("receipts") or ())
        if receipts:
            curs.execute(SQL("INSERT INTO {} (key, sender, digest) SELECT * FROM unnest(%s::text[], %s::text[],"
                             " %s::text[])").format(self.receipts_table),
                         tuple(list(column) for column in zip(*receipts, strict=True)))

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if len(stored_events) <= INSERT_CHUNK:
            super()._insert_stored_events(curs, stored_events, **kwargs)
            return
        ids: list[int] = []
        for start in range(0, len(stored_events), INSERT_CHUNK):
            with curs.connection.pipeline():  # a nested block syncs at its end: this chunk's ids are read now
                super()._insert_stored_events(curs, stored_events[start:start + INSERT_CHUNK], **kwargs)
            ids.extend(row["notification_id"] for row in curs.fetchall())
        self._chunked.ids = ids

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        chunked = getattr(self._chunked, "ids", None)
        self._chunked.ids = None
        ids = list(chunked if chunked is not None else
                   super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs) or [])
        if ids:
            curs.execute(SQL("SELECT notification_id, events, link FROM {}").format(self.head_table))
            row = curs.fetchone()
            head = head_to_extend(None if row is None else (row["notification_id"], row["events"], row["link"]))
            links, head = extend_chain(head, new_events(ids, stored_events))
            for start in range(0, len(links), INSERT_CHUNK):
                part = links[start:start + INSERT_CHUNK]
                curs.execute(
                    SQL("INSERT INTO {} SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::bigint[])").format(
                        self.chain_table),
                    ([i for i, _, _ in part], [link for _, link, _ in part], [p for _, _, p in part]),
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

    def receipt_digests(self, keys: Sequence[str]) -> dict[str, str | None]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT key, digest FROM {} WHERE key = ANY(%s)").format(self.receipts_table),
                         (list(keys),))
            return {row["key"]: row["digest"] for row in curs.fetchall()}

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

    def page_source(self) -> PageSource | None:
        """See ``LedgerSQLiteRecorder.page_source``; None when the pool's connection settings are not
        plain keywords (the library also takes a callable), as a reader process could not repeat them.
        The URI carries our connection settings: the process gives up on a silent server as we do."""
        params = connect_kwargs(self.datastore.pool)
        if params is None:
            return None

        def part(name: str, default: str = "") -> str:  # percent-encoded: a socket directory is a host too
            return quote(str(params.get(name) or default), safe="")

        password = part("password")
        uri = (f"postgresql://{part('user')}{':' + password if password else ''}@{part('host', '127.0.0.1')}:"
               f"{part('port', '5432')}/{part('dbname', 'postgres')}?{settings_query()}")
        with self.datastore.get_connection() as conn:
            table = self.events_table.as_string(conn)
        # the id's 16 bytes as hex: a third less of the server's CPU than its text with the dashes replaced
        return PageSource("postgresql", uri, (
            "SELECT notification_id, encode(uuid_send(originator_id), 'hex'), originator_version, topic, state"
            f" FROM {table} WHERE notification_id >= {{start}} ORDER BY notification_id LIMIT {{limit}}"))

    def store_identity(self) -> str | None:
        """See ``LedgerSQLiteRecorder.store_identity``."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SELECT to_regclass(%s) IS NOT NULL AS present", (self.identity_regclass,))
            row = curs.fetchone()
            if not (row and row["present"]):
                return None
            curs.execute(SQL("SELECT store_id FROM {} WHERE id = 1").format(self.identity_table))
            row = curs.fetchone()
            return None if row is None else str(row["store_id"])

    def chain_link(self, position: int) -> bytes | None:
        """See ``LedgerSQLiteRecorder.chain_link``."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT link FROM {} WHERE notification_id = %s").format(self.chain_table), (position,))
            row = curs.fetchone()
            return None if row is None else bytes(row["link"])

    def verify_chain(self) -> VerifyReport:
        """Check the whole log in segments read by primary-key ranges (see ``chain_verify``): an index
        range scan per table and segment, where the paged full outer join hashed the whole rest of the
        log for every page."""
        from domain.stores import chain_verify  # here: its multiprocessing import is for verify alone

        # One REPEATABLE READ transaction fixes the head and the highest position; rows up to
        # there never change as the ledger only appends, so the workers' own connections see them.
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            curs.execute(SQL("SELECT notification_id, events, link FROM {}").format(self.head_table))
            row = curs.fetchone()
            head = chain_head(None if row is None else tuple(row.values()))
            curs.execute(SQL("SELECT greatest((SELECT max(notification_id) FROM {}),"
                             " (SELECT max(notification_id) FROM {})) AS highest").format(
                self.events_table, self.chain_table))
            row = curs.fetchone()
            highest = int(row["highest"] or 0) if row else 0
            events_table = self.events_table.as_string(curs.connection)
            chain_table = self.chain_table.as_string(curs.connection)
            params = connect_kwargs(self.datastore.pool)
            workers = None if params is None else chain_verify.postgres_reader(params, events_table, chain_table)
            with curs.connection.cursor(row_factory=tuple_row) as local_cursor:
                return chain_verify.verify_segments(
                    workers, highest, head,
                    local_reader=partial(chain_verify.postgres_rows, local_cursor, events_table, chain_table))


if TYPE_CHECKING:  # the adapter meets the store port (mypy checks it)
    _port: type[LedgerStore] = LedgerPostgresRecorder
