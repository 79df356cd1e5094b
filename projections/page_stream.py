"""The child that reads an SQLite store for ``projections.pages``: an Arrow IPC stream on stdout.

    python -m projections.page_stream URI START LIMIT

It reads pages of ``LIMIT`` rows from position ``START`` with the ADBC SQLite driver (rows go
straight into Arrow columns) until the store's end, and writes each page's batches as they come.
It opens the store read-only and nothing else: this process holds no other copy of SQLite.
"""

from __future__ import annotations

import sys

import pyarrow as pa

PAGE_SQL = (
    "SELECT rowid, CAST(originator_id AS TEXT), originator_version, CAST(topic AS TEXT), CAST(state AS BLOB)"
    " FROM stored_events WHERE rowid >= {start} ORDER BY rowid LIMIT {limit}"
)
"""The casts fix each column's type whatever a row holds (the driver infers types from the rows)."""
BATCH_ROWS = 8192
"""Rows per Arrow batch: a page is a few batches, which DuckDB scans on every core at once."""


def stream(uri: str, start: int, limit: int, out: pa.NativeFile) -> None:
    # The driver's low-level API: its DB-API module imports pandas (0.4 s).
    import adbc_driver_manager
    import adbc_driver_sqlite

    from projections.pages import SCHEMA

    with adbc_driver_sqlite.connect(uri) as database, adbc_driver_manager.AdbcConnection(database) as connection, \
            pa.ipc.new_stream(out, SCHEMA) as writer:
        while True:
            with adbc_driver_manager.AdbcStatement(connection) as statement:
                statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
                statement.set_sql_query(PAGE_SQL.format(start=start, limit=limit))
                handle, _ = statement.execute_query()
                rows = 0
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


def main(argv: list[str]) -> int:
    """Exit 1 with the reason as stderr's last line (the parent quotes it) when the store cannot be read."""
    uri, start, limit = argv[0], int(argv[1]), int(argv[2])
    try:
        stream(uri, start, limit, pa.output_stream(sys.stdout.buffer))
    except BrokenPipeError:  # the parent stopped reading (it failed, or was killed)
        return 1
    except Exception as error:  # any failure of the driver is reported, not a traceback
        reason = " ".join(str(error).split())
        sys.stderr.write(f"{type(error).__name__}: {reason[:300]}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
