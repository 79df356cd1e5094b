"""The service's views port (``domain.service.views.Views``) on a DuckDB views file.

It holds one runner on the file, opened at first use; a rebuild writes a new file, switches to it,
and the next use opens a runner on the new one (whose key cache no longer holds a destroyed key).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from domain.service.views import caught_up
from domain.stores.port import LedgerStore
from projections.forgetting import catch_up_forgetting
from projections.runner import CatchUpResult, ProjectionRunner, open_views, rebuild

Progress = Callable[[int, int], None]


class ViewsFile:
    """A views file of one store: ``catch_up`` and ``rebuild`` for ``domain.service.views.caught_up``.

    ``refresh``: whether a catch-up also refreshes the derived tables (readers skip it);
    ``on_replace``: called after a rebuild switched files, before the old connection closes (a server
    drops its readers' cursors on the old file there); ``threads``: DuckDB's threads on the file (None: its default;
    a server's ``view_store.SERVED_THREADS``)."""

    def __init__(self, recorder: LedgerStore, path: Path, progress: Progress | None = None, *, refresh: bool = True,
                 on_replace: Callable[[], None] | None = None, threads: int | None = None) -> None:
        self.recorder = recorder
        self.path = path
        self.progress = progress
        self.refresh = refresh
        self.on_replace = on_replace
        self.threads = threads
        self._runner: ProjectionRunner | None = None  # opened at first use
        self.ended = False

    def _refuse_if_ended(self) -> None:
        if self.ended:
            raise ViewsEnded(f"the views file {self.path} was closed for good (the process is stopping)")

    @property
    def runner(self) -> ProjectionRunner:
        self._refuse_if_ended()
        if self._runner is None:
            self._runner = open_views(self.recorder, self.path)
            if self.threads is not None:
                self._runner.con.execute(f"SET threads = {int(self.threads)}")
        return self._runner

    def catch_up(self) -> tuple[CatchUpResult, bool]:
        return catch_up_forgetting(self.runner, self.progress, refresh=self.refresh)  # type: ignore[no-any-return]

    def rebuild(self) -> CatchUpResult:
        self._refuse_if_ended()
        result = rebuild(self.recorder, self.path, self.progress)
        if self.on_replace is not None:
            self.on_replace()
        self.close()
        return result

    def close(self) -> None:
        """Close the file; a later use opens it again (after a rebuild, the new file)."""
        if self._runner is not None:
            self._runner.con.close()
            self._runner = None

    def end(self) -> None:
        """Close the file for good: a thread still running at a stop (a given-up read, a sender waiting for a lock)
        is refused rather than opening the file again, which nobody would then close."""
        self.ended = True
        self.close()


class ViewsEnded(RuntimeError):
    """A use of a views file after ``ViewsFile.end``."""


def catch_up(recorder: LedgerStore, views: Path, progress: Progress | None = None) -> CatchUpResult:
    """Bring the views file up to date with the store (rebuilt when a forget reached it)."""
    views_file = ViewsFile(recorder, views, progress)
    try:
        return caught_up(views_file)
    finally:
        views_file.close()
