"""The store's rows in position order, a bounded page at a time, as Arrow tables.

A rebuild reads every stored event, so the read itself is a large part of it. A long read
(``READER_PROCESS_FROM`` events or more) runs in a child process (``projections.page_stream``)
that reads with an ADBC driver (SQLite, PostgreSQL) straight into Arrow columns and streams them
over a pipe: no Python object per value, and none of the reading holds this process's GIL. The
SQLite driver must stay in a child: it carries its own copy of SQLite, and two copies of SQLite
with one file open in one process release each other's POSIX locks (a way to corrupt a database,
sqlite.org/howtocorrupt.html). Short reads and in-memory stores go through the recorder's
``select_notification_rows`` in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa

from domain.stores.errors import StoreError
from domain.stores.port import LedgerStore, PageSource
from projections.arrow_columns import column, text
from projections.page_stream import SCHEMA

COLUMNS = tuple(SCHEMA.names)
READER_PROCESS_FROM = 50_000
"""Events to read at or above which a child process reads them (it costs ~0.2 s to start)."""
QUERY_PAGES = 10
"""Pages the child reads with one query: each query costs the driver a prepare, a round trip and its setup
(about 0.2 s of CPU per million events in pages of 25,000 on PostgreSQL), and one of a bounded size stays
short (a server's ``statement_timeout``) and leaves a SQLite store's WAL free between queries."""


class StoreReadError(StoreError):
    """The reading process failed: the pages already committed stand, the rest was not read."""


def pages(recorder: LedgerStore, start: int, limit: int, *, reader_process_from: int = READER_PROCESS_FROM
          ) -> Iterator[pa.Table]:
    """Pages of at most ``limit`` rows from position ``start`` to the store's end."""
    head = recorder.max_notification_id() or 0
    source = recorder.page_source() if head - start + 1 >= reader_process_from else None
    if source is not None:
        yield from _streamed_pages(source, start, limit)
    else:
        yield from _prefetched_pages(recorder, start, limit)


def _streamed_pages(source: PageSource, start: int, limit: int) -> Iterator[pa.Table]:
    """Pages from the child reader, the next one read while the caller projects this one. The request goes on
    stdin: a PostgreSQL URI may hold a password, which a command line would show to every user."""
    here = str(Path(__file__).resolve().parents[1])  # where ``projections`` is, installed or not
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
    # A process group of its own: Ctrl-C in a terminal goes to the whole foreground group, and a reader killed by
    # it under a command that stops cleanly after its page would turn that stop into "reading the store failed".
    # The child ends with this generator (``finally``), or when its pipe closes if this process is killed.
    child = subprocess.Popen([sys.executable, "-m", "projections.page_stream"], env={**os.environ, "PYTHONPATH": path},
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0)
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    try:
        request = {**source._asdict(), "start": start, "limit": limit * QUERY_PAGES}
        child.stdin.write(json.dumps(request).encode())
        child.stdin.close()
        yield from _read_ahead(_grouped(child, limit), stop=child.kill)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()


def _grouped(child: subprocess.Popen[bytes], limit: int) -> Iterator[pa.Table]:
    """The child's batches grouped back into pages of ``limit`` rows, the last one fewer (kept as several batches,
    so DuckDB parses one page's JSON on every core)."""
    batches: list[pa.RecordBatch] = []
    rows = 0
    try:
        for batch in pa.ipc.open_stream(child.stdout):
            while batch.num_rows:  # the child reads several pages per query: cut its batches at each page's end
                taken = batch.slice(0, limit - rows)
                batches.append(taken)
                rows += taken.num_rows
                batch = batch.slice(taken.num_rows)
                if rows == limit:
                    yield pa.Table.from_batches(batches, SCHEMA)
                    batches, rows = [], 0
    except (pa.ArrowInvalid, OSError) as error:  # the stream broke off: the child died (or was killed)
        raise _failed(child, str(error)) from None
    if child.wait() != 0:
        raise _failed(child, f"exit status {child.returncode}")
    if rows:
        yield pa.Table.from_batches(batches, SCHEMA)


def _failed(child: subprocess.Popen[bytes], reason: str) -> StoreReadError:
    child.kill()
    child.wait()
    assert child.stderr is not None
    said = child.stderr.read().decode(errors="replace").strip().splitlines()
    return StoreReadError(f"reading the store failed ({said[-1] if said else reason})")


def _prefetched_pages(recorder: LedgerStore, start: int, limit: int) -> Iterator[pa.Table]:
    """Pages of recorder rows, the next one read while the caller works on this one."""
    return _read_ahead(_recorder_pages(recorder, start, limit))


def _recorder_pages(recorder: LedgerStore, start: int, limit: int) -> Iterator[pa.Table]:
    rows = recorder.select_notification_rows(start, limit)
    while rows:
        yield rows_page(rows)
        rows = recorder.select_notification_rows(rows[-1][0] + 1, limit) if len(rows) == limit else []


def _read_ahead(source: Iterator[pa.Table], stop: Callable[[], None] | None = None) -> Iterator[pa.Table]:
    """``source``'s pages, each next one read in a thread while the caller works on the one it has (reading,
    Arrow and DuckDB release the GIL most of the time). Without it the reader child could only run ahead by
    what its pipe holds (64 KB), and the caller waited for every page's rows to be read. ``stop`` ends a
    read under way when the caller stops early, so it need not be waited for."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        upcoming = reader.submit(next, source, None)
        try:
            while (page := upcoming.result()) is not None:
                upcoming = reader.submit(next, source, None)
                yield page
        finally:
            if stop is not None and not upcoming.done():
                stop()


def rows_of(page: pa.Table) -> list[tuple[Any, ...]]:
    """A page (or part of one) as (position, aggregate id, version, topic, state) tuples."""
    return list(zip(*(page.column(name).to_pylist() for name in COLUMNS), strict=True))


def rows_page(rows: list[tuple[Any, ...]]) -> pa.Table:
    """Recorder rows (position, originator id hex, version, topic, state bytes) as a page."""
    positions, oids, versions, topics, states = zip(*rows, strict=True)
    return pa.Table.from_arrays([column(positions, pa.int64()), text(oids), column(versions, pa.int64()), text(topics),
                                 text(states)], schema=SCHEMA)
