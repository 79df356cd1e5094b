"""Which recorder a store URL selects (SQLAlchemy's conventions for SQLite paths), and whether it may create it.

``memory://`` is a new in-memory store, ``memory://NAME`` the in-memory store of that name in this
process (see ``stores.memory``).

Only writing commands create a store (``create=True``); a reader pointed at a store that does
not exist gets ``StoreMissing`` ("no store at ...") and nothing is created. Readers open SQLite
read-only, so a store on a read-only filesystem can still be verified and shown.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from domain.stores.errors import StoreError, StoreMissing, redacted
from domain.stores.sqlite_busy import busy_timeout

READER_FACTORY = "domain.stores.postgres_reader:ReaderPostgresFactory"
"""The factory of a PostgreSQL reader: it takes over the connection that checked the store exists."""
SQLITE_FORMS = "use sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://user@host:port/db"


def store_environment(url: str, *, create: bool = True) -> dict[str, str]:
    """The library's environment for a store URL; raises ``StoreError`` naming the URL and the reason."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite_environment(url, create)
    if parts.scheme in ("postgresql", "postgres"):
        return _postgres_environment(url, create)
    if parts.scheme == "memory":
        return _memory_environment(url, create)
    raise StoreError(f"--store {redacted(url)!r}: the scheme must be sqlite or postgresql "
                     f"({SQLITE_FORMS}), or memory:// for a store in this process only")


def release_unclaimed(env: dict[str, str]) -> None:
    """Once the store was constructed from ``env`` (or failed to be): close the checked connection a reader's
    environment handed over if no factory took it, rather than keep it open for the life of the process."""
    if env.get("PERSISTENCE_MODULE") == READER_FACTORY:
        from domain.stores.postgres_reader import HANDED_OVER, close_unclaimed

        close_unclaimed(env.get(HANDED_OVER))


def is_memory(url: str) -> bool:
    """Whether the URL names an in-memory store, which no other process can open."""
    return urlsplit(url).scheme == "memory"


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise StoreError(f"--store {redacted(url)!r}: {SQLITE_FORMS}")
    path = Path(unquote(url[len("sqlite:///"):]))
    if not path.name or url.endswith("/"):
        raise StoreError(f"--store {redacted(url)!r} names no database file ({SQLITE_FORMS})")
    return path


def _sqlite_environment(url: str, create: bool) -> dict[str, str]:
    path = sqlite_path(url)
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise StoreError(f"--store {redacted(url)!r}: {error.strerror or error}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise StoreError(f"--store {redacted(url)!r} is a directory, not a database file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise StoreError(f"--store {redacted(url)!r} is not a regular file")
    env = {
        "PERSISTENCE_MODULE": "domain.stores.sqlite_busy:LedgerSQLiteFactory",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": str(busy_timeout()),
        "PROCESS_RECORDER_TOPIC": "domain.stores.sqlite:LedgerSQLiteRecorder",
    }
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            reason = error.strerror or error
            raise StoreError(f"--store {redacted(url)!r}: cannot create its folder: {reason}") from None
        return env
    if info is None or info.st_size == 0:
        raise StoreMissing(f"no store at {redacted(url)} (only writing commands such as import create one)")
    env["SQLITE_DBNAME"] = _readable_uri(url, path)
    env["CREATE_TABLE"] = "false"
    return env


def _readable_uri(url: str, path: Path) -> str:
    """A read-only SQLite URI for an existing store; ``immutable`` where the filesystem cannot be written."""
    base = f"file:{quote(str(path.resolve()))}?mode=ro"
    for uri in (base, base + "&immutable=1"):
        try:
            con = sqlite3.connect(uri, uri=True)
            try:
                found = con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'stored_events'").fetchone()
            finally:
                con.close()
        except sqlite3.DatabaseError as error:
            if "unable to open" in str(error) and _unwritable(path) and not uri.endswith("immutable=1"):
                continue  # a WAL database on a read-only filesystem: nobody can write it, so it is immutable
            raise StoreError(f"--store {redacted(url)!r}: not a readable SQLite database ({error})") from None
        if not (found and found[0]):
            raise StoreMissing(f"no store at {redacted(url)} (the file holds no ledger tables)")
        return uri
    raise AssertionError("unreachable")


def _unwritable(path: Path) -> bool:
    try:
        read_only_fs = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        read_only_fs = False
    return read_only_fs or not os.access(path.parent, os.W_OK)


def _postgres_environment(url: str, create: bool) -> dict[str, str]:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    schema = query.get("schema", "public")
    try:
        port = parts.port or 5432
    except ValueError:
        raise StoreError(f"--store {redacted(url)!r}: the port is not a number") from None
    env = {
        "PERSISTENCE_MODULE": "domain.stores.pg_connect:LedgerPostgresFactory",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "PROCESS_RECORDER_TOPIC": "domain.stores.postgres:LedgerPostgresRecorder",
    }
    from domain.stores.postgres_schema import prepare_schema  # psycopg is imported only for PostgreSQL stores

    keep = None
    if not create:  # a reader (a show command) reads through the connection that checks the store exists
        from domain.stores.postgres_reader import HANDED_OVER, hand_over

        env["PERSISTENCE_MODULE"] = READER_FACTORY
        keep = lambda conn: env.__setitem__(HANDED_OVER, hand_over(conn))  # noqa: E731
    if prepare_schema(env, schema, create=create, url=url, keep=keep):
        env["CREATE_TABLE"] = "false"
        if create:  # a store made before snapshots gains their table (domain.service.snapshots)
            env["LEDGER_ENSURE_SNAPSHOTS"] = "y"
    return env


def _memory_environment(url: str, create: bool) -> dict[str, str]:
    from domain.stores.memory import STORE_NAME, named_store_exists

    parts = urlsplit(url)
    name = unquote(parts.netloc + parts.path)
    if parts.query or parts.fragment:
        raise StoreError(f"--store {redacted(url)!r}: an in-memory store is memory:// or memory://NAME")
    if not create and not (name and named_store_exists(name)):
        raise StoreMissing(f"no store at {url} (an in-memory store lives only in the process that made it)")
    return {"PERSISTENCE_MODULE": "domain.stores.memory:MemoryFactory", STORE_NAME: name}
