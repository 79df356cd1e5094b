"""The views file kept as a cache of one store: opened caught up, or rebuilt from zero in a new file.

The runner that appends the store's new events to a views file is ``projections.projection_runner``
(named here too, where its callers have always found it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from domain.stores.port import LedgerStore
from projections import binding
from projections.forgetting import catch_up_forgetting
from projections.projection_runner import BATCH, CatchUpResult, ProjectionRunner
from projections.view_store import ViewsError, ViewsOutdated, connect, is_views_file, replace_file, unreadable

__all__ = ["BATCH", "REBUILD_MEMORY_LIMIT", "CatchUpResult", "ProjectionRunner", "open_views",
           "rebuild", "remove_abandoned_rebuilds"]

REBUILD_MEMORY_LIMIT = "128MB"
"""DuckDB's buffer limit while rebuilding: it keeps no more of the new file cached (it spills if it must)."""


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
