"""``verify`` over independent segments of the log, in two worker processes.

Each segment (lo, hi] is read by primary-key ranges of the events and of the chain (both come
back in key order: no sort, no join in the database) and checked on its own from the link
stored just before it (``tamper_evidence.check_segment``). The caller fixes the highest
position inside its one read snapshot, together with the chain head; rows up to there never
change while the ledger only appends, so workers with their own connections read the same rows.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from itertools import islice
from typing import Any
from urllib.parse import quote

from domain.stores.tamper_evidence import (
    ChainHead,
    EventRow,
    LinkRow,
    VerifyReport,
    Walk,
    check_segment,
    combine,
    conclude,
)

SEGMENT = 100_000
"""Positions per task: about 50 MB of rows in a worker at a time (``CLIENTOCRACY_VERIFY_SEGMENT`` overrides)."""
WORKERS = 2
IN_FLIGHT = 2
START_METHOD = "fork"
"""Forked workers start at once and need nothing of the caller's ``__main__`` (spawned or
forkserver workers import it again: an unguarded script embedding ``Ledger.verify`` would run again
in each, and its workers would fail and be replaced forever)."""
"""Segments queued per worker: enough to keep each busy, few enough to stop at once."""

SegmentReader = Callable[[int, int], tuple[list[EventRow], list[LinkRow], tuple[int, Any] | None]]
"""(lo, hi) -> the events and links with lo < position <= hi, and the (position, link) of the last link <= lo."""


def check(reader: SegmentReader, lo: int, hi: int) -> Walk:
    return check_segment(*reader(lo, hi))


def verify_segments(reader: SegmentReader | None, highest: int, head: ChainHead | None,
                    local_reader: SegmentReader) -> VerifyReport:
    """Check positions 1..``highest`` in segments: in worker processes through ``reader`` (picklable,
    opening its own connection; None when there is no such way) when there is more than one
    segment, else (and when workers cannot open the store) through ``local_reader``, the caller's
    own connection, in this process."""
    size = max(1, int(os.environ.get("CLIENTOCRACY_VERIFY_SEGMENT") or SEGMENT))
    bounds = [(lo, min(lo + size, highest)) for lo in range(0, max(highest, 1), size)]
    parallel = WORKERS > 1 and START_METHOD in multiprocessing.get_all_start_methods()
    if reader is not None and len(bounds) > 1 and parallel:
        try:
            return conclude(combine(_in_workers(reader, bounds)), head)
        except (OSError, sqlite3.Error):  # e.g. a read-only copy that a second connection cannot open
            pass
    walks = (check(local_reader, lo, hi) for lo, hi in bounds)
    return conclude(combine(walks), head)


def _in_workers(reader: SegmentReader, bounds: list[tuple[int, int]]) -> Iterator[Walk]:
    """Segment walks in order; stops handing out segments once one has a problem.

    At most ``IN_FLIGHT`` segments per worker are queued, and the pool is closed, not terminated:
    ``Pool.terminate`` with segments still queued hung for good (its feeder thread blocked on the
    queue of workers it had just killed), as a tampered store checked in small segments showed.
    """
    context = multiprocessing.get_context(START_METHOD)
    workers = min(WORKERS, os.cpu_count() or 1, len(bounds))
    tasks = iter(bounds)
    walks = []
    pool = context.Pool(workers)
    try:
        pending = deque(pool.apply_async(check, (reader, lo, hi)) for lo, hi in islice(tasks, IN_FLIGHT * workers))
        while pending:
            walk = pending.popleft().get()
            walks.append(walk)
            if walk.problem is not None:
                break
            pending.extend(pool.apply_async(check, (reader, lo, hi)) for lo, hi in islice(tasks, 1))
    finally:
        pool.close()  # never terminate(): the few segments still queued finish, then the workers exit
        pool.join()
    return iter(walks)


# Readers -----------------------------------------------------------------------------------

SQLITE_SEGMENT_SQL = (
    "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
    " WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
    "SELECT notification_id, link, previous_id FROM event_chain"
    " WHERE notification_id > ? AND notification_id <= ? ORDER BY notification_id",
    "SELECT notification_id, link FROM event_chain WHERE notification_id <= ? ORDER BY notification_id DESC LIMIT 1",
)
"""Range reads of the two primary keys: SQLite walks them in order (no sort, no join)."""


def sqlite_rows(cursor: Any, lo: int, hi: int) -> tuple[list[EventRow], list[LinkRow], tuple[int, Any] | None]:
    events_sql, links_sql, before_sql = SQLITE_SEGMENT_SQL
    cursor.execute(events_sql, (lo, hi))
    events = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(links_sql, (lo, hi))
    links = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(before_sql, (lo,))
    before = cursor.fetchone()
    return events, links, None if before is None else tuple(before)


def sqlite_file_rows(path: str, lo: int, hi: int) -> tuple[list[EventRow], list[LinkRow], tuple[int, Any] | None]:
    """``sqlite_rows`` on a read-only connection of its own (in a worker). ``path`` is the store's
    file, or the URI a reader opened it with (``file:…?mode=ro`` or ``immutable=1``), kept as it is."""
    con = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        return sqlite_rows(con.cursor(), lo, hi)
    finally:
        con.close()


def read_only_uri(path: str) -> str:
    """An SQLite file's read-only URI; a URI (``file:…``) is kept as it is."""
    return path if path.startswith("file:") else f"file:{quote(path)}?mode=ro"


def sqlite_reader(path: str) -> SegmentReader:
    return partial(sqlite_file_rows, path)


def postgres_rows(curs: Any, events_table: str, chain_table: str, lo: int, hi: int) -> tuple[
        list[EventRow], list[LinkRow], tuple[int, Any] | None]:
    """Rows of a segment through a tuple-row cursor; the table names are quoted identifiers."""
    curs.execute(f"SELECT notification_id, originator_id, originator_version, topic, state FROM {events_table}"
                 " WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id", (lo, hi))
    events = curs.fetchall()
    curs.execute(f"SELECT notification_id, link, previous_id FROM {chain_table}"
                 " WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id", (lo, hi))
    links = curs.fetchall()
    curs.execute(f"SELECT notification_id, link FROM {chain_table} WHERE notification_id <= %s"
                 " ORDER BY notification_id DESC LIMIT 1", (lo,))
    before = curs.fetchone()
    return events, links, None if before is None else tuple(before)


def postgres_connection_rows(connection: dict[str, Any], events_table: str, chain_table: str, lo: int,
                             hi: int) -> tuple[list[EventRow], list[LinkRow], tuple[int, Any] | None]:
    import psycopg

    with psycopg.connect(**connection) as conn, conn.cursor() as curs:
        conn.read_only = True
        return postgres_rows(curs, events_table, chain_table, lo, hi)


def postgres_reader(connection: dict[str, Any], events_table: str, chain_table: str) -> SegmentReader:
    return partial(postgres_connection_rows, connection, events_table, chain_table)
