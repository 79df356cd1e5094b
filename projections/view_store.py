"""The DuckDB file that holds the views: opening it under DuckDB's one-writer rule, and its schema."""

from __future__ import annotations

import hashlib
import os
import random
import time
from pathlib import Path

import duckdb

from projections import derived
from projections.tables import FACT_TABLES

LOCK_WAIT_SECONDS = 60.0


def connect(path: Path, *, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open the views for writing, waiting while another process holds DuckDB's file lock.

    Every writer (a show catching up, ``project``) holds the lock only for one short
    catch-up, so waiting a little is how concurrent commands take turns.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.25)


SCHEMA_VERSION = hashlib.sha256("\n".join(table.ddl() for table in FACT_TABLES).encode()).hexdigest()[:16]


class ViewsOutdated(Exception):
    """The views file was built by a version with other fact tables: it must be rebuilt, not appended to."""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, macros and views of an empty file; refuse a file of another schema version."""
    con.execute("CREATE TABLE IF NOT EXISTS views_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    found = con.execute("SELECT value FROM views_meta WHERE key = 'schema_version'").fetchone()
    has_tables = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'projection_tracking'"
    ).fetchone()
    if (found and found[0] != SCHEMA_VERSION) or (not found and has_tables and has_tables[0]):
        raise ViewsOutdated(f"views schema {found[0] if found else 'unversioned'}, this version needs "
                            f"{SCHEMA_VERSION}")
    con.execute(
        "CREATE TABLE IF NOT EXISTS projection_tracking ("
        "name VARCHAR PRIMARY KEY, position BIGINT NOT NULL, derived_stale BOOLEAN NOT NULL)"
    )
    for table in FACT_TABLES:
        con.execute(table.ddl())
    con.execute("INSERT OR IGNORE INTO projection_tracking VALUES ('ledger', 0, true)")
    con.execute("INSERT OR IGNORE INTO views_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    derived.install(con)


def replace_file(new: Path, target: Path) -> None:
    """Switch readers to a freshly built file in one atomic rename."""
    # The old file's WAL must go first: left beside the new file it would not match it. Losing
    # it loses nothing, as the old file is being replaced by a complete rebuild.
    Path(str(target) + ".wal").unlink(missing_ok=True)
    os.replace(new, target)
