"""Keeps the DuckDB views caught up with the event store, exactly once and restartably.

The store is read in bounded pages in position order (its primary key: no sort), so memory
does not grow with the store. Each page becomes one DuckDB transaction: the page's stored rows
as one Arrow table, from which SQL appends the ``event_log`` and the high-volume topics
(``projections.page_sql``), the other topics' rows from the Python ``Projector`` as Arrow appends,
and the new tracking position: a crash leaves either the whole page or none of it.
The library's SQLite recorder cannot subscribe, so catch-up polls the store from the tracked position.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from domain.personal_data import Revealer
from domain.stores.port import LedgerStore
from projections import binding, derived
from projections.tables import FACTS
from projections.timeline import FOREVER
from projections.view_store import ensure_schema

if TYPE_CHECKING:  # the projector and the SQL path load with the first page to project (below)
    from projections.page_sql import Reveal
    from projections.projector import Projector
    from projections.stored_form import State

BATCH = 25_000
"""Events per page (and per DuckDB transaction): about 35 MB of stored rows as Python objects."""


def caught_interrupt(error: BaseException) -> bool:
    """Whether ``error`` is DuckDB's report of a Ctrl-C (``KeyboardInterrupt``) it caught, so lost to the stop
    handling: DuckDB's own check of signals during a statement ("Query interrupted"), or an interrupt raised in
    ``REVEAL`` before the function could keep it (Python runs a signal handler at a function's first instruction)."""
    text = str(error)
    return (isinstance(error, duckdb.InterruptException) or (isinstance(error, RuntimeError) and text ==
            "Query interrupted") or (isinstance(error, duckdb.Error) and "UDF: KeyboardInterrupt" in text))


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
        self._reveal: Reveal | None = None

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
            # pyarrow and the SQL path: only when there is something to read
            from projections.page_sql import bind_reveal
            from projections.pages import pages

            self._reveal = bind_reveal(self.con, self.revealer) if self.columnar else None
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
        except BaseException as error:
            # Ctrl-C can land after the COMMIT: the page is whole, and the interrupt must not become this error
            with suppress(duckdb.TransactionException):
                self.con.execute("ROLLBACK")
            self.projector.promises.clear()  # in-memory terms may be ahead of what was committed
            self.projector.rows.clear()
            if caught_interrupt(error):
                raise KeyboardInterrupt(str(error)) from error
            raise

    def _project(self, page: Any) -> None:
        """A page's rows, inside the page's transaction: SQL for ``COLUMNAR`` topics, Python for the rest."""
        import pyarrow.compute as pc

        from projections.arrow_columns import text
        from projections.pages import rows_of

        if not self.columnar:
            self.projector.project(rows_of(page))
            return
        from projections.page_sql import project_page

        assert self._reveal is not None  # bound by catch_up
        in_sql = pc.is_in(page.column("topic"), value_set=text(project_page(self.con, page, self._reveal)))
        self.projector.project(rows_of(page.filter(pc.invert(in_sql))), event_log=False)

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
