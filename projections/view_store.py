"""The DuckDB file that holds the views: opening it under DuckDB's one-writer rule, and its schema.

A views file is a cache of one store. Before anything writes to it we make sure it is a views
file of ours (never someone's database, never the event store), and the binding table records
which store and which chain link the views were built from, so views never answer for another
store (see ``projections.binding``).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import stat
import time
from functools import cache
from pathlib import Path

import duckdb

from domain.stores.errors import SetupError
from projections import derived, views_identity
from projections.tables import FACT_TABLES

LOCK_WAIT_SECONDS = 60.0
LOCK_WAIT_ENV = "CLIENTOCRACY_VIEWS_LOCK_TIMEOUT"
DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file
REBUILD_HINT = "rebuild the views: clientocracy project --rebuild"
OUR_TABLES = ("views_meta", "projection_tracking")
SERVED_THREADS = 1
"""DuckDB threads of a views file a server reads: its reads are many small statements at once, one per request
thread, and DuckDB parallelising each of them costs more CPU than it saves (an as-of team answer at 100,000 events:
about 4 ms of CPU more with two threads than with one); a rebuild writes its own file with DuckDB's default."""
SPECIAL_NAME = re.compile(r"^(:memory:|[A-Za-z][A-Za-z0-9+.-]+:)")  # ':memory:', 'md:', 's3://', ...


class ViewsError(SetupError):
    """The views file cannot be used as asked; the message is one line for the user."""


class ViewsDamaged(ViewsError):
    """The views file was edited or damaged: it must be rebuilt from the store."""


def lock_wait() -> float:
    text = os.environ.get(LOCK_WAIT_ENV)
    try:
        return LOCK_WAIT_SECONDS if not text else max(0.0, float(text))
    except ValueError:
        raise ViewsError(f"{LOCK_WAIT_ENV}={text!r} is not a number of seconds") from None


def check_target(path: Path) -> bool:
    """Refuse a path that is not (or cannot become) a views file of ours; True when the file exists.

    A missing or empty file may be created; an existing one must be a DuckDB file (its header);
    whether it holds our tables is checked once it is open (``connect``).
    """
    if SPECIAL_NAME.match(str(path)):
        raise ViewsError(f"--views {path} is not a file path (DuckDB would keep it in memory or fetch it "
                         "remotely): give a file such as .clientocracy/views.duckdb")
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise ViewsError(f"--views {path}: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ViewsError(f"--views {path} is a directory, not a views file (give a file such as {path}/views.duckdb)")
    if not stat.S_ISREG(info.st_mode):
        raise ViewsError(f"--views {path} is not a regular file")
    if info.st_size == 0:
        return False
    try:
        with path.open("rb") as file:
            header = file.read(12)
    except OSError as error:
        raise ViewsError(f"--views {path}: cannot read it: {error.strerror or error}") from None
    if header[8:12] != DUCKDB_MAGIC:
        raise ViewsError(f"--views {path} is not a DuckDB views file (refusing to touch it: "
                         f"is it the event store or another file?)")
    return True


def connect(path: Path, *, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the views for writing, waiting while another process holds DuckDB's file lock.

    Every writer (a show catching up, ``project``) holds the lock only for one short
    catch-up, so waiting a little is how concurrent commands take turns. A path that is not
    a views file of ours is refused before DuckDB touches it.
    """
    existed = check_target(path)
    if not existed:
        _prepare_new(path)
    con = _open_waiting(path, lock_wait() if wait is None else wait)
    if existed and not _is_ours(con):
        con.close()
        raise ViewsError(f"--views {path} is a DuckDB database but not a views file of ours (refusing to touch it)")
    return con


def _prepare_new(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():  # an empty file: DuckDB refuses it, and it holds nothing to lose
            path.unlink()
    except OSError as error:
        raise ViewsError(f"--views {path}: cannot create it: {error.strerror or error}") from None


def _open_waiting(path: Path, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.Error as error:
            text = str(error)
            if "lock" in text.lower():
                if time.monotonic() > deadline:
                    raise ViewsError(f"--views {path} is locked by another process (waited {wait:g} s; "
                                     f"set {LOCK_WAIT_ENV} to wait longer)") from None
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.25)
                continue
            if any(s in text for s in ("Permission denied", "Read-only file system", "read-only")):
                raise ViewsError(f"--views {path}: cannot write to it ({_first_line(text)})") from None
            raise unreadable(path, error) from None


def unreadable(path: Path, error: BaseException) -> ViewsDamaged:
    """The error for a views file DuckDB opened but cannot read (truncated, corrupted)."""
    return ViewsDamaged(f"--views {path} cannot be read ({_first_line(str(error))}): {REBUILD_HINT}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _is_ours(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds our tables (``duckdb_tables()``: DuckDB plans it in a fraction of the time of
    ``information_schema``, and every show command asks)."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN (SELECT unnest(?))",
        [list(OUR_TABLES)],
    ).fetchone()
    return bool(row and row[0])


def is_views_file(path: Path) -> bool:
    """True for a views file of ours, or a DuckDB file so damaged that it cannot be opened (rebuildable)."""
    if not check_target(path):
        return True
    try:
        con = _open_waiting(path, lock_wait())
    except ViewsDamaged:
        return True
    try:
        return _is_ours(con)
    finally:
        con.close()


SCHEMA_VERSION = hashlib.sha256("\n".join(table.ddl() for table in FACT_TABLES).encode()).hexdigest()[:16]


class ViewsOutdated(Exception):
    """The views file was built by a version with other fact tables: it must be rebuilt, not appended to."""


class _Statements:
    """Records the SQL ``derived.install`` runs, whatever module it comes from."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def execute(self, sql: str, *_: object) -> _Statements:
        self.sql.append(sql)
        return self


@cache
def derived_version() -> str:
    """A digest of the macros and views ``derived.install`` creates."""
    statements = _Statements()
    derived.install(statements)  # type: ignore[arg-type]
    return hashlib.sha256("\n".join(statements.sql).encode()).hexdigest()[:16]


def _up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    """The file already holds this version's tables, macros and views: opening it then writes nothing (a show
    command spent more on re-creating them than on its query)."""
    try:
        found = dict(con.execute(
            "SELECT key, value FROM views_meta WHERE key IN ('schema_version', 'derived_version', ?)",
            [views_identity.KEY]).fetchall())
    except duckdb.CatalogException:
        return False
    return (found.pop(views_identity.KEY, None) is not None
            and found == {"schema_version": SCHEMA_VERSION, "derived_version": derived_version()})


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, macros and views of an empty file; refuse a file of another schema version."""
    if _up_to_date(con):
        return
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
    con.execute(
        "CREATE TABLE IF NOT EXISTS views_binding (name VARCHAR PRIMARY KEY, store_id VARCHAR,"
        " position BIGINT NOT NULL, link BLOB, events BIGINT NOT NULL)"
    )
    for table in FACT_TABLES:
        con.execute(table.ddl())
    con.execute("INSERT OR IGNORE INTO projection_tracking VALUES ('ledger', 0, true)")
    con.execute("INSERT OR IGNORE INTO views_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    views_identity.give_identity(con)
    derived.install(con)
    con.execute("INSERT OR REPLACE INTO views_meta VALUES ('derived_version', ?)", [derived_version()])


def replace_file(new: Path, target: Path) -> None:
    """Switch readers to a freshly built file in one atomic rename."""
    # The old file's WAL must go first: left beside the new file it would not match it. Losing
    # it loses nothing, as the old file is being replaced by a complete rebuild.
    Path(str(target) + ".wal").unlink(missing_ok=True)
    os.replace(new, target)
