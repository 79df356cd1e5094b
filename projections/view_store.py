"""The DuckDB file that holds the views: opening it under DuckDB's one-writer rule, and its schema."""

from __future__ import annotations

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


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS projection_tracking ("
        "name VARCHAR PRIMARY KEY, position BIGINT NOT NULL, derived_stale BOOLEAN NOT NULL)"
    )
    for table in FACT_TABLES:
        con.execute(table.ddl())
    con.execute("INSERT OR IGNORE INTO projection_tracking VALUES ('ledger', 0, true)")
    derived.install(con)


def replace_file(new: Path, target: Path) -> None:
    """Switch readers to a freshly built file in one atomic rename."""
    # The old file's WAL must go first: left beside the new file it would not match it. Losing
    # it loses nothing, as the old file is being replaced by a complete rebuild.
    Path(str(target) + ".wal").unlink(missing_ok=True)
    os.replace(new, target)
