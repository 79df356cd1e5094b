"""Keeps the DuckDB views caught up with the event store, exactly once and restartably.

The store is read in bounded pages in position order (its primary key: no sort), so memory
does not grow with the store. Each page becomes one DuckDB transaction: the page's stored rows
as one Arrow table, from which SQL appends the ``event_log`` and the high-volume topics
(``projector.COLUMNAR``), the other topics' rows from the Python ``Projector`` as Arrow appends,
and the new tracking position: a crash leaves either the whole page or none of it.
The library's SQLite recorder cannot subscribe, so catch-up polls the store from the tracked position.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from domain.personal_data import PREFIX, Revealer
from domain.stores.port import LedgerStore
from domain.topics import class_topic
from projections import binding, derived
from projections.forgetting import catch_up_forgetting
from projections.tables import FACTS
from projections.timeline import FOREVER
from projections.view_store import (
    ViewsError,
    ViewsOutdated,
    connect,
    ensure_schema,
    is_views_file,
    replace_file,
    unreadable,
)

if TYPE_CHECKING:  # the projector and the SQL path load with the first page to project (below)
    from projections.projector import Projector
    from projections.stored_form import State

BATCH = 25_000
"""Events per page (and per DuckDB transaction): about 35 MB of stored rows as Python objects."""
REBUILD_MEMORY_LIMIT = "128MB"
"""DuckDB's buffer limit while rebuilding: it keeps no more of the new file cached (it spills if it must)."""


@dataclass
class CatchUpResult:
    events: int
    position: int
    seconds: float


class ProjectionRunner:
    """Reads the store from the tracked position and appends to the views."""

    def __init__(self, recorder: LedgerStore, con: duckdb.DuckDBPyConnection, batch: int = BATCH, *,
                 columnar: bool = True, **reading: int) -> None:
        """``columnar=False`` projects every topic in Python (the reference the SQL path is tested against);
        ``reading`` goes to ``pages.pages`` (tests set ``reader_process_from``)."""
        self.recorder = recorder
        self.con = con
        self.batch = batch
        self.columnar = columnar
        self.reading = reading
        ensure_schema(con)
        self.store_id = recorder.store_identity()
        self.revealer = Revealer(recorder)  # one per runner: it caches keys
        self._projector: Projector | None = None

    @property
    def projector(self) -> Projector:
        """Made with the first page to project: a show command whose views are up to date never imports
        the projector, the SQL path or the aggregates whose classes name their topics."""
        if self._projector is None:
            from projections.projector import Projector

            self._projector = Projector(self._load_keys, self._load_promises)
            self._projector.reveal = self.revealer.reveal
        return self._projector

    def position(self) -> int:
        row = self.con.execute("SELECT position FROM projection_tracking WHERE name = 'ledger'").fetchone()
        assert row is not None
        return int(row[0])

    def catch_up(self, progress: Callable[[int, int], None] | None = None, *, refresh: bool = True) -> CatchUpResult:
        """Project every new event; ``refresh`` also recomputes the materialised current-state tables
        (the show commands skip that: they compute their answers live, and ``project`` refreshes)."""
        started = time.perf_counter()
        position = self.position()
        total = 0
        if (self.recorder.max_notification_id() or 0) > position:
            from projections.pages import pages  # pyarrow: only when there is something to read

            for page in pages(self.recorder, position + 1, self.batch, **self.reading):
                position = page.column("position")[-1].as_py()
                self._commit_page(page, position)
                total += page.num_rows
                if progress is not None:
                    progress(total, position)
        if refresh and self._derived_stale():
            self.con.execute("BEGIN")
            derived.refresh(self.con)  # in one transaction with clearing the flag: never half-refreshed
            self.con.execute("UPDATE projection_tracking SET derived_stale = false WHERE name = 'ledger'")
            self.con.execute("COMMIT")
        return CatchUpResult(total, position, time.perf_counter() - started)

    def _commit_page(self, page: Any, position: int) -> None:
        """One page in one DuckDB transaction: all of its rows and the new position, or nothing."""
        self.con.execute("BEGIN")
        try:
            self._project(page)
            self._write(position)
        except BaseException:
            self.con.execute("ROLLBACK")
            self.projector.promises.clear()  # in-memory terms may be ahead of what was committed
            self.projector.rows.clear()
            raise

    def _project(self, page: Any) -> None:
        """A page's rows, inside the page's transaction: SQL for ``COLUMNAR`` topics, Python for the rest."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from projections.pages import rows_of

        if not self.columnar:
            self.projector.project(rows_of(page))
            return
        in_sql = pc.is_in(page.column("topic"), value_set=pa.array(self._project_columnar(page), pa.large_string()))
        self.projector.project(rows_of(page.filter(pc.invert(in_sql))), event_log=False)

    def _project_columnar(self, page: Any) -> list[str]:
        """The SQL-projected rows of a page; returns the stored topics projected (see ``Projector`` on topics)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from projections.columnar import COLUMNAR, EVENT_LOG_SQL, EVENT_LOG_SQL_FIRST_EVENTS, sealed_columns
        from projections.stored_form import topic_names

        stored = page.column("topic").unique().to_pylist()
        names = {topic: topic_names(topic) for topic in stored}
        classes = {topic: class_topic(topic) or topic for topic in stored}
        page_topics = pa.Table.from_pydict({
            "topic": list(names),
            "aggregate_type": [aggregate_type for aggregate_type, _ in names.values()],
            "event": [event for _, event in names.values()],
            "class_topic": [classes[topic] for topic in names],
        })
        first, last = page.column("position")[0].as_py(), page.column("position")[-1].as_py()
        later_events = pc.max(page.column("version")).as_py() > 1
        self.con.register("page", page)
        self.con.register("page_topics", page_topics)
        try:
            self.con.execute(EVENT_LOG_SQL if later_events else EVENT_LOG_SQL_FIRST_EVENTS)
            for topic in set(classes.values()) & COLUMNAR.keys():
                sql = COLUMNAR[topic]
                self.con.execute(sql, {"first": first, "last": last} if "$first" in sql else None)
                for table, column in sealed_columns().get(topic, ()):
                    self._reveal(table, column, first, last)
        finally:
            self.con.unregister("page")
            self.con.unregister("page_topics")
        return [topic for topic, class_ in classes.items() if class_ in COLUMNAR]

    def _reveal(self, table: str, column: str, first: int, last: int) -> None:
        """Open the personal text SQL copied sealed (``domain.personal_data``): it is stored plain in the views."""
        sealed = self.con.execute(
            f"SELECT position, {column} FROM {table} WHERE position BETWEEN ? AND ? AND starts_with({column}, ?)",
            [first, last, PREFIX],
        ).fetchall()
        if not sealed:
            return
        import pyarrow as pa

        from projections.pages import int64_array, utf8_array

        opened = pa.Table.from_arrays([int64_array(tuple(p for p, _ in sealed)),
                                       utf8_array(tuple(self.revealer.reveal(text) for _, text in sealed))],
                                      names=["position", "opened"])
        self.con.register("opened_text", opened)
        try:
            self.con.execute(f"UPDATE {table} SET {column} = o.opened FROM opened_text o"
                             f" WHERE {table}.position = o.position")
        finally:
            self.con.unregister("opened_text")

    def _write(self, position: int) -> None:
        """Append the Python projector's rows, move the tracking position, and commit the page."""
        rows = self.projector.rows
        try:
            for name, table_rows in rows.items():
                if table_rows:
                    table = FACTS[name]
                    self.con.register("batch_rows", table.arrow(table_rows))
                    self.con.execute(f"INSERT INTO {name} SELECT * FROM batch_rows")
                    self.con.unregister("batch_rows")
            self.con.execute(
                "UPDATE projection_tracking SET position = ?, derived_stale = true WHERE name = 'ledger'",
                [position],
            )
            binding.record(self.con, self.recorder, self.store_id, position)
            self.con.execute("COMMIT")
        finally:
            rows.clear()

    def _derived_stale(self) -> bool:
        row = self.con.execute("SELECT derived_stale FROM projection_tracking WHERE name = 'ledger'").fetchone()
        return bool(row and row[0])

    def _load_keys(self, oids: list[str]) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT aggregate_id, key FROM event_log WHERE version = 1 AND aggregate_id IN (SELECT unnest(?))",
            [oids],
        ).fetchall()
        return dict(rows)

    def _load_promises(self, oids: list[str]) -> dict[str, State]:
        cursor = self.con.execute(
            "SELECT l.aggregate_id, h.promise AS key, h.status, h.promisor, h.promisee, h.statement, h.metric,"
            " h.target, h.period, h.parent, h.consented, h.objective FROM promise_state_as_of(?) h"
            " JOIN event_log l ON l.position = h.position"
            " WHERE l.aggregate_id IN (SELECT unnest(?))",
            [FOREVER, oids],
        )
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def open_views(recorder: LedgerStore, views: Path) -> ProjectionRunner:
    """A runner on the views file; views of another version or another store are rebuilt first.

    Views are a cache of one store (``projections.binding``); a views file that was edited or
    damaged is refused with ``ViewsDamaged`` ("rebuild the views").
    """
    con = connect(views)
    try:
        runner = ProjectionRunner(recorder, con)
        reason = binding.rebuild_reason(con, recorder)
    except ViewsOutdated as error:
        reason = f"the views file has another schema ({error})"
    except (duckdb.IOException, duckdb.InternalException) as error:  # opened, but its pages cannot be read
        con.close()
        raise unreadable(views, error) from None
    except BaseException:
        con.close()
        raise
    if reason is None:
        return runner
    con.close()
    sys.stderr.write(f"views {views}: {reason}; rebuilding them from the store (they are a cache)\n")
    rebuild(recorder, views)
    return ProjectionRunner(recorder, connect(views))


def remove_abandoned_rebuilds(views: Path) -> None:
    """Delete half-built files of rebuilds whose process is gone (killed), never a running one's."""
    for path in views.parent.glob(f"{views.name}.rebuild-*"):
        pid = path.name.rsplit("-", 1)[1].removesuffix(".wal")
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def rebuild(recorder: LedgerStore, views: Path, progress: Callable[[int, int], None] | None = None) -> CatchUpResult:
    """Build the views from zero in a new file, then switch to it, so readers never see a half-built view.

    The target must be a views file of ours (or missing): never the event store or another file.
    """
    if not is_views_file(views):
        raise ViewsError(f"--views {views} is a DuckDB database but not a views file of ours (refusing to replace it)")
    remove_abandoned_rebuilds(views)
    building = views.with_name(f"{views.name}.rebuild-{os.getpid()}")
    for leftover in (building, Path(str(building) + ".wal")):
        leftover.unlink(missing_ok=True)
    con = connect(building)
    try:
        con.execute(f"SET memory_limit = '{REBUILD_MEMORY_LIMIT}'")
        result, forgotten = catch_up_forgetting(ProjectionRunner(recorder, con), progress)
    except BaseException:  # e.g. a stop between two pages: the half-built file goes, the old one stays
        con.close()
        for leftover in (building, Path(str(building) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    con.close()
    if forgotten:  # a forget raced this build: the file may hold what it destroyed
        building.unlink()
        return rebuild(recorder, views, progress)
    replace_file(building, views)
    return result
