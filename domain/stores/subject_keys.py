"""The key table: one AES key per data subject, in the store but outside the event log and its chain.

Destroying a key must leave no copy in the store's files. SQLite writes the key table with
``secure_delete`` on (deleted and moved cells are zeroed) and, after a delete, checkpoints the
WAL into the database and truncates it, so neither ``-wal`` nor the database keeps the old page.
PostgreSQL deletes the row, then ``VACUUM FULL`` rewrites the (small) table into a new file, so
the dead tuple is gone from the table's pages. Neither can reach backups, or PostgreSQL's own WAL
segments until the server recycles them: the README says so. The in-memory store keeps its keys in a
dictionary (``MemorySubjectKeys``, also a key store on its own): forgetting drops the only copy.

A batch's new keys are inserted in the transaction of the events sealed with them (``insert_new_keys``), so a
batch whose events are not written leaves no key behind. They are plain inserts: a subject another writer gave
a key meanwhile fails the whole transaction, a write conflict the retry policy decides again with that key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError

from domain.personal_data import IncompleteErasure, KeptKey, KeyRow, NewKey, new_key_row
from domain.stores.lock_wait import lock_wait_message, naming_the_lock, waited_for_lock

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore
    from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore


def refuse_destroyed(kept: Sequence[KeptKey], found: dict[str, str]) -> None:
    """A write conflict if a key a batch sealed with is gone (or replaced) since it read it (``Sealer.kept_keys``)."""
    gone = [subject for subject, kid in kept if found.get(subject) != kid]
    if gone:
        raise IntegrityError(f"the key of {gone} was destroyed (a forget) after this batch sealed with it")


SQLITE_TABLE = "subject_keys"
SQLITE_DDL = (f"CREATE TABLE IF NOT EXISTS {SQLITE_TABLE} (subject TEXT PRIMARY KEY, kid TEXT NOT NULL,"
              " key BLOB NOT NULL) WITHOUT ROWID")
CHUNK = 500
CHECKPOINT_SECONDS = 30.0


class MemorySubjectKeys:
    """The key table of the in-memory store (mixed into its recorder), or a key store on its own."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, KeyRow] = {}
        self._keys_lock = threading.Lock()

    def subject_keys(self, subjects: Collection[str] | None, *, create: bool = False) -> dict[str, KeyRow]:
        with self._keys_lock:
            if subjects is None:
                return dict(self.keys)
            if create:
                for subject in subjects:
                    self.keys.setdefault(subject, new_key_row())
            return {s: self.keys[s] for s in subjects if s in self.keys}

    def destroy_subject_key(self, subject: str) -> bool:
        with self._keys_lock:
            return self.keys.pop(subject, None) is not None

    def refuse_taken_keys(self, keys: Sequence[NewKey]) -> None:
        """Checked with the events before any is written (the store's lock is held until they are)."""
        with self._keys_lock:
            taken = sorted(subject for subject, _, _ in keys if subject in self.keys)
        if taken:
            raise IntegrityError(f"another writer made the key of {taken} first")

    def insert_new_keys(self, keys: Sequence[NewKey]) -> None:
        with self._keys_lock:
            self.keys.update((subject, (kid, key)) for subject, kid, key in keys)

    def refuse_destroyed_keys(self, kept: Sequence[KeptKey]) -> None:
        with self._keys_lock:
            refuse_destroyed(kept, {subject: self.keys[subject][0] for subject, _ in kept if subject in self.keys})


class SQLiteSubjectKeys:
    """The key table of the SQLite store (mixed into its recorder)."""

    datastore: SQLiteDatastore

    def subject_keys(self, subjects: Collection[str] | None, *, create: bool = False) -> dict[str, KeyRow]:
        if subjects is None:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT subject, kid, key FROM {SQLITE_TABLE}")
                return {row[0]: (row[1], row[2]) for row in c.fetchall()}
        found = self._select(list(subjects), commit=False)
        missing = [s for s in subjects if s not in found]
        if create and missing:
            with self.datastore.transaction(commit=True) as c:
                c.execute("PRAGMA secure_delete = ON")  # b-tree cells moved by this insert leave zeros behind
                c.executemany(f"INSERT OR IGNORE INTO {SQLITE_TABLE} VALUES (?, ?, ?)",
                              [(s, *new_key_row()) for s in missing])
            found.update(self._select(missing, commit=False))  # a concurrent writer's key, if it won
        return found

    def _select(self, subjects: list[str], *, commit: bool) -> dict[str, KeyRow]:
        found: dict[str, KeyRow] = {}
        with self.datastore.transaction(commit=commit) as c:
            for start in range(0, len(subjects), CHUNK):
                chunk = subjects[start : start + CHUNK]
                c.execute(f"SELECT subject, kid, key FROM {SQLITE_TABLE} WHERE subject IN"
                          f" ({','.join('?' * len(chunk))})", chunk)
                found.update({row[0]: (row[1], row[2]) for row in c.fetchall()})
        return found

    def insert_new_keys(self, c: SQLiteCursor, keys: Sequence[NewKey]) -> None:
        """In the events' transaction (see the module's docstring)."""
        if keys:
            c.execute("PRAGMA secure_delete = ON")
            c.executemany(f"INSERT INTO {SQLITE_TABLE} VALUES (?, ?, ?)", keys)

    def refuse_destroyed_keys(self, c: SQLiteCursor, kept: Sequence[KeptKey]) -> None:
        """In the events' transaction, which holds the write lock a forget's delete needs."""
        found: dict[str, str] = {}
        subjects = [subject for subject, _ in kept]
        for start in range(0, len(subjects), CHUNK):
            chunk = subjects[start : start + CHUNK]
            c.execute(f"SELECT subject, kid FROM {SQLITE_TABLE} WHERE subject IN ({','.join('?' * len(chunk))})",
                      chunk)
            found.update({row[0]: row[1] for row in c.fetchall()})
        refuse_destroyed(kept, found)

    def destroy_subject_key(self, subject: str) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(f"DELETE FROM {SQLITE_TABLE} WHERE subject = ?", (subject,))
            deleted = c.sqlite_cursor.rowcount > 0
        if not self.checkpoint_wal():
            raise IncompleteErasure(
                f"the key of {subject!r} is deleted, but the WAL file (-wal) may still hold a copy: a reader "
                f"kept an older snapshot open for {CHECKPOINT_SECONDS:g} s; run the same forget again once "
                "it has finished", deleted)
        return deleted

    def checkpoint_wal(self) -> bool:
        """Copy the WAL into the database and truncate it, waiting a while for readers of older
        snapshots; False if they kept it from completing."""
        deadline = time.monotonic() + CHECKPOINT_SECONDS
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            cursor.execute("PRAGMA busy_timeout")
            (busy_timeout,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {min(int(CHECKPOINT_SECONDS * 1000), busy_timeout)}")
            try:
                while True:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy, _, _ = cursor.fetchone()
                    if not busy:
                        return True
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.05)
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")


class PostgresSubjectKeys:
    """The key table of the PostgreSQL store (mixed into its recorder)."""

    datastore: PostgresDatastore
    keys_table: Any  # psycopg.sql.Composed; psycopg is imported only for PostgreSQL stores

    @staticmethod
    def keys_table_ddl(table: Any) -> Any:
        from psycopg.sql import SQL

        return SQL("CREATE TABLE IF NOT EXISTS {} (subject text PRIMARY KEY, kid text NOT NULL,"
                   " key bytea NOT NULL)").format(table)

    def subject_keys(self, subjects: Collection[str] | None, *, create: bool = False) -> dict[str, KeyRow]:
        from psycopg.sql import SQL

        with naming_the_lock(self.keys_what()), self.datastore.get_connection() as conn, conn.cursor() as curs:
            if subjects is None:
                curs.execute(SQL("SELECT subject, kid, key FROM {}").format(self.keys_table))
                return {r["subject"]: (r["kid"], r["key"]) for r in curs.fetchall()}
            wanted = list(subjects)
            select = SQL("SELECT subject, kid, key FROM {} WHERE subject = ANY(%s)").format(self.keys_table)
            curs.execute(select, (wanted,))
            found: dict[str, KeyRow] = {r["subject"]: (r["kid"], r["key"]) for r in curs.fetchall()}
            missing = [s for s in wanted if s not in found]
            if create and missing:
                made = [(subject, *new_key_row()) for subject in missing]
                self._insert_keys(curs, made, " ON CONFLICT (subject) DO NOTHING")
                curs.execute(select, (missing,))  # a concurrent writer's key, if it won
                found.update({r["subject"]: (r["kid"], r["key"]) for r in curs.fetchall()})
            return found

    def insert_new_keys(self, curs: Any, keys: Sequence[NewKey]) -> None:
        """In the events' transaction (see the module's docstring)."""
        if keys:
            self._insert_keys(curs, keys, "")

    def refuse_destroyed_keys(self, curs: Any, kept: Sequence[KeptKey]) -> None:
        """In the events' transaction: the rows are read ``FOR KEY SHARE`` (the weakest lock a delete waits for), so
        a forget's delete waits for it to end, or this waits for the delete's and finds the row gone."""
        from psycopg.sql import SQL

        if kept:
            curs.execute(SQL("SELECT subject, kid FROM {} WHERE subject = ANY(%s) ORDER BY subject FOR KEY SHARE"
                             ).format(self.keys_table), ([subject for subject, _ in kept],))
            refuse_destroyed(kept, {row["subject"]: row["kid"] for row in curs.fetchall()})

    def _insert_keys(self, curs: Any, keys: Sequence[NewKey], on_conflict: str) -> None:
        from psycopg.sql import SQL

        curs.execute(SQL("INSERT INTO {} SELECT * FROM unnest(%s::text[], %s::text[], %s::bytea[])" + on_conflict
                         ).format(self.keys_table), tuple(list(column) for column in zip(*keys, strict=True)))

    def destroy_subject_key(self, subject: str) -> bool:
        from psycopg.sql import SQL

        with self.datastore.get_connection() as conn:  # autocommit: VACUUM cannot run in a transaction
            with naming_the_lock(self.keys_what()):
                deleted = conn.execute(SQL("DELETE FROM {} WHERE subject = %s").format(self.keys_table),
                                       (subject,)).rowcount > 0
            try:
                conn.execute(SQL("VACUUM FULL {}").format(self.keys_table))
            except Exception as error:  # the DELETE is committed: say what remains, as for SQLite's WAL
                if not waited_for_lock(error):
                    raise
                raise IncompleteErasure(
                    f"the key of {subject!r} is deleted, but the table's file may still hold a copy: "
                    f"{lock_wait_message(self.keys_what())}; run the same forget again once it has finished",
                    deleted) from error
        return deleted

    def keys_what(self) -> str:
        """The key table as a lock wait's message names it."""
        return f"the key table {self.keys_table.as_string()}"
