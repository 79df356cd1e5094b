"""A PostgreSQL store's schema before the recorder opens it: created for writers, found (or ``StoreMissing``) for
readers, and brought up to date from an earlier version. Apart from the recorder so that a reader's check costs
no import of the library's recorder, and each file stays one concept."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from domain.stores.errors import StoreError, StoreMissing, redacted
from domain.stores.pg_connect import connection_settings, settings_password

LAST_TABLE = "ledger_events_subject_keys"  # created last: when it exists, the whole store does
RECEIPTS_TABLE = "ledger_events_receipts"


def upgrade_schema(conn: psycopg.Connection[Any], schema: str) -> None:
    """Bring a store made by an earlier version up to date (the library's DDL is skipped on an existing store):
    receipts gain their sender and content digest (the older rows keep NULL, see ``domain.service.receipts``)."""
    present = {row[0] for row in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (schema, RECEIPTS_TABLE)).fetchall()}
    missing = [column for column in ("sender", "digest") if column not in present]
    if missing:  # concurrent openers queue on the table's lock; IF NOT EXISTS lets the later ones pass
        conn.execute(SQL("ALTER TABLE {} {}").format(
            SQL("{}.{}").format(Identifier(schema), Identifier(RECEIPTS_TABLE)),
            SQL(", ").join(SQL("ADD COLUMN IF NOT EXISTS {} text").format(Identifier(c)) for c in missing)))


def prepare_schema(env: dict[str, str], schema: str, *, create: bool = True, url: str = "",
                   keep: Callable[[psycopg.Connection[Any]], object] | None = None) -> bool:
    """Create the PostgreSQL schema if missing (writers only); True when the ledger's tables already exist in it.

    Skipping the library's DDL on an existing store matters: its ``CREATE OR REPLACE FUNCTION``
    makes two processes opening the store at once fail with "tuple concurrently updated".
    A reader (``create=False``) of a schema without the ledger's tables gets ``StoreMissing``; a reader's
    ``keep`` takes the open connection over when the store exists.
    """
    where = redacted(url) if url else f"postgresql://{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
    try:
        conn = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"], password=settings_password(env), autocommit=True,
            **connection_settings(),
        )
    except psycopg.Error as error:
        raise _store_error(where, error) from None
    kept = False
    try:
        if create and schema != "public":
            # Another process may create it in the same instant: IF NOT EXISTS is not atomic.
            with contextlib.suppress(psycopg.errors.UniqueViolation):
                conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'"{schema}"."{LAST_TABLE}"',)).fetchone()
        exists = bool(row and row[0])
        if create and exists:
            upgrade_schema(conn, schema)
        if not create and not exists:
            raise StoreMissing(f"no store at {where} (only writing commands such as import create one)")
        if not create and keep is not None:
            keep(conn)  # the reader's one connection (``postgres_reader``)
            kept = True
    except psycopg.Error as error:
        raise _store_error(where, error) from None
    finally:
        if not kept:
            conn.close()
    return exists


def _store_error(where: str, error: psycopg.Error) -> StoreError:
    reason = " ".join(str(error).split())
    if isinstance(error, psycopg.OperationalError):
        return StoreError(f"--store {where}: cannot connect to PostgreSQL ({reason})")
    return StoreError(f"--store {where}: {reason}")
