"""Which views file an answer was read from, for the caches that keep answers across connections and threads.

Every views file gets a random id when its tables are created (``view_store.ensure_schema``). A rebuild writes a
new file from zero (after a forget: it must not serve what was read from the old one), so it gets a new id, and
the cursors of every thread on one file share it: an answer kept under the id is one of this very file's.
"""

from __future__ import annotations

import uuid

import duckdb

KEY = "views_id"


def give_identity(con: duckdb.DuckDBPyConnection) -> None:
    """Give a new views file its id (a file that has one keeps it)."""
    con.execute("INSERT OR IGNORE INTO views_meta VALUES (?, ?)", [KEY, uuid.uuid4().hex])


def views_identity(con: duckdb.DuckDBPyConnection) -> str:
    """The id of the views file ``con`` reads; a database that is not a views file of ours gets a new one each
    time, so nothing is ever shared with it."""
    try:
        found = con.execute("SELECT value FROM views_meta WHERE key = ?", [KEY]).fetchone()
    except duckdb.CatalogException:
        found = None
    return str(found[0]) if found else f"unknown {uuid.uuid4().hex}"
