"""The child that reads a store for ``projections.pages``: an Arrow IPC stream on stdout.

    echo '{"driver": "sqlite", "uri": ..., "sql": ..., "start": 1, "limit": 25000}' | python -m projections.page_stream

It reads pages of ``limit`` rows from position ``start`` with the store's ADBC driver (rows go
straight into Arrow columns) until the store's end, and writes each page's batches as they come.
The SQLite driver opens the store read-only; this process holds no other copy of SQLite (it
imports nothing of the project but this module: no ``sqlite3``).
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import unquote, urlsplit

import pyarrow as pa

SCHEMA = pa.schema([("position", pa.int64()), ("aggregate_id", pa.large_string()), ("version", pa.int64()),
                    ("topic", pa.large_string()), ("state", pa.large_string())])
"""A page: the stored state is its JSON text (UTF-8 is checked when a batch is cast to it)."""
BATCH_ROWS = 8192
"""Rows per Arrow batch: a page is a few batches, which DuckDB scans on every core at once."""
BATCH_OPTIONS = {
    "sqlite": {"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)},
    "postgresql": {"adbc.postgresql.batch_size_hint_bytes": str(BATCH_ROWS * 600)},  # ~600 bytes a row
}


def connect(driver: str, uri: str) -> Any:
    # The drivers' low-level API: their DB-API modules import pandas (0.4 s).
    if driver == "sqlite":
        import adbc_driver_sqlite

        return adbc_driver_sqlite.connect(uri)
    if driver == "postgresql":
        import adbc_driver_postgresql

        return adbc_driver_postgresql.connect(uri)
    raise ValueError(f"no reader for a {driver!r} store")


def stream(request: dict[str, Any], out: Any) -> None:
    import adbc_driver_manager

    start, limit = int(request["start"]), int(request["limit"])
    with connect(request["driver"], request["uri"]) as database, \
            adbc_driver_manager.AdbcConnection(database) as connection, pa.ipc.new_stream(out, SCHEMA) as writer:
        while True:
            rows = 0
            with adbc_driver_manager.AdbcStatement(connection) as statement:
                statement.set_options(**BATCH_OPTIONS[request["driver"]])
                statement.set_sql_query(request["sql"].format(start=start, limit=limit))
                handle, _ = statement.execute_query()
                for batch in pa.RecordBatchReader._import_from_c(handle.address):
                    if batch.num_rows:
                        writer.write_batch(pa.RecordBatch.from_arrays(
                            [column.cast(field.type) for column, field in zip(batch.columns, SCHEMA, strict=True)],
                            schema=SCHEMA))
                        rows += batch.num_rows
                        last = batch.column(0)[-1].as_py()
            if rows < limit:
                return
            start = last + 1


def main() -> int:
    """Exit 1 with the reason as stderr's last line (the parent quotes it) when the store cannot be read."""
    request = json.loads(sys.stdin.buffer.read())
    try:
        stream(request, pa.output_stream(sys.stdout.buffer))
    except BrokenPipeError:  # the parent stopped reading (it failed, or was killed)
        return 1
    except Exception as error:  # any failure of the driver is reported, not a traceback
        reason = " ".join(str(error).split())
        password = urlsplit(request["uri"]).password
        if password:  # a driver may quote the URI it could not connect with
            reason = reason.replace(password, "***").replace(unquote(password), "***")
        sys.stderr.write(f"{type(error).__name__}: {reason[:300]}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
