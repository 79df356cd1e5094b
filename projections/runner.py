"""Keeps the DuckDB views caught up with the event store, exactly once and restartably.

Each batch of notifications becomes Arrow appends to the fact tables plus the new tracking
position, all in one DuckDB transaction: a crash leaves either the whole batch or none of it.
The library's SQLite recorder cannot subscribe, so catch-up polls ``select_notifications``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from domain.personal_data import Revealer, keystore_of
from projections import binding, derived
from projections.forgetting import catch_up_forgetting
from projections.projector import Projector, State
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

BATCH = 20_000


@dataclass
class CatchUpResult:
    events: int
    position: int
    seconds: float


class ProjectionRunner:
    """Reads the store from the tracked position and appends to the views."""

    def __init__(self, recorder: Any, con: duckdb.DuckDBPyConnection, batch: int = BATCH) -> None:
        self.recorder = recorder
        self.con = con
        self.batch = batch
        ensure_schema(con)
        self.store_id = binding.store_identity(recorder)
        self.projector = Projector(self._load_keys, self._load_promises)
        self.revealer = Revealer(keystore_of(recorder))  # one per runner: it caches keys
        self.projector.reveal = self.revealer.reveal

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
        while True:
            notifications = self.recorder.select_notification_rows(position + 1, self.batch)
            if not notifications:
                break
            self.projector.project(notifications)
            position = notifications[-1][0]
            self._write(position)
            total += len(notifications)
            if progress is not None:
                progress(total, position)
            if len(notifications) < self.batch:
                break
        if refresh and self._derived_stale():
            self.con.execute("BEGIN")
            derived.refresh(self.con)  # in one transaction with clearing the flag: never half-refreshed
            self.con.execute("UPDATE projection_tracking SET derived_stale = false WHERE name = 'ledger'")
            self.con.execute("COMMIT")
        return CatchUpResult(total, position, time.perf_counter() - started)

    def _write(self, position: int) -> None:
        rows = self.projector.rows
        self.con.execute("BEGIN")
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
        except BaseException:
            self.con.execute("ROLLBACK")
            self.projector.promises.clear()  # in-memory terms may be ahead of what was committed
            raise
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
            " h.target, h.period, h.parent FROM promise_state_as_of(?) h JOIN event_log l ON l.position = h.position"
            " WHERE l.aggregate_id IN (SELECT unnest(?))",
            [FOREVER, oids],
        )
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def open_views(recorder: Any, views: Path) -> ProjectionRunner:
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


def catch_up(recorder: Any, views: Path, progress: Callable[[int, int], None] | None = None) -> CatchUpResult:
    """Bring the views file up to date with the store."""
    runner = open_views(recorder, views)
    try:
        result, forgotten = catch_up_forgetting(runner, progress)
    finally:
        runner.con.close()
    return rebuild(recorder, views, progress) if forgotten else result


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


def rebuild(recorder: Any, views: Path, progress: Callable[[int, int], None] | None = None) -> CatchUpResult:
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
        result, forgotten = catch_up_forgetting(ProjectionRunner(recorder, con), progress)
    finally:
        con.close()
    if forgotten:  # a forget raced this build: the file may hold what it destroyed
        building.unlink()
        return rebuild(recorder, views, progress)
    replace_file(building, views)
    return result
