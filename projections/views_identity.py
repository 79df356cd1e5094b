"""Which views file an answer was read from, for the caches that keep answers across connections and threads.

Every views file gets a random id when its tables are created (``view_store.ensure_schema``). A rebuild writes a
new file from zero (after a forget: it must not serve what was read from the old one), so it gets a new id, and
the cursors of every thread on one file share it: an answer kept under the id is one of this very file's.

A file with no id opened read-only (one made before ids, or not ours) cannot be given one, but it cannot change
either while it is open so: it is named by its path and what the file system says of it (device, inode, size,
modification time, and its write-ahead log's), so every call on it shares the caches instead of each evicting
useful answers under a new name. Any other database without an id gets a new one each time: nothing is shared.
"""

from __future__ import annotations

import os
import uuid

import duckdb

KEY = "views_id"


def give_identity(con: duckdb.DuckDBPyConnection) -> None:
    """Give a new views file its id (a file that has one keeps it)."""
    con.execute("INSERT OR IGNORE INTO views_meta VALUES (?, ?)", [KEY, uuid.uuid4().hex])


def views_identity(con: duckdb.DuckDBPyConnection) -> str:
    """The id of the views file ``con`` reads (see above for one without an id). A missing table is looked for,
    not caught: in a transaction (``projections.snapshot``) a failed statement would end it for every later one."""
    (has_meta,) = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
                              " AND schema_name = current_schema() AND table_name = 'views_meta'").fetchone() or (0,)
    found = con.execute("SELECT value FROM views_meta WHERE key = ?", [KEY]).fetchone() if has_meta else None
    return str(found[0]) if found else read_only_file_identity(con) or f"unknown {uuid.uuid4().hex}"


def read_only_file_identity(con: duckdb.DuckDBPyConnection) -> str | None:
    """The name of the file ``con`` reads if it is opened read-only (else ``None``): the same while it is unchanged."""
    found = con.execute("SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()"
                        ).fetchone()
    if found is None or not found[0] or not found[1]:
        return None
    path = os.path.realpath(str(found[0]))
    return " ".join(["file", path, *(stamp(name) for name in (path, path + ".wal"))])


def stamp(path: str) -> str:
    try:
        facts = os.stat(path)
    except FileNotFoundError:
        return "-"
    return f"{facts.st_dev}:{facts.st_ino}:{facts.st_size}:{facts.st_mtime_ns}"
