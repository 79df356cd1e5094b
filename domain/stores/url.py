"""Which recorder a store URL selects (SQLAlchemy's conventions for SQLite paths)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


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
            "PROCESS_RECORDER_TOPIC": "domain.stores.sqlite:LedgerSQLiteRecorder",
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
            "PROCESS_RECORDER_TOPIC": "domain.stores.postgres:LedgerPostgresRecorder",
        }
        from domain.stores.postgres import prepare_schema  # psycopg is imported only for PostgreSQL stores

        if prepare_schema(env, schema):
            env["CREATE_TABLE"] = "false"
        return env
    raise ValueError(f"store {url!r}: the scheme must be sqlite or postgresql")
