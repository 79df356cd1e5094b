"""The server's own views file, kept caught up with the store in the background.

DuckDB allows one writing process per file, so a server owns its views file for as long as it
runs (each server of a scale-out has its own). A background thread polls the store; every read
first catches up to the store's latest position (one cheap ``max`` query), so an answer is never
older than the request - in particular a write answered 200 is visible to the next read, on this
server or any other one sharing the store. Reads use a cursor per thread: DuckDB answers them
from a consistent snapshot while the catch-up appends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from domain.service.views import caught_up
from domain.stores.lock_wait import LockWaitTimeout
from projections.runner import ProjectionRunner
from projections.served_views import mark_served, unmark_served
from projections.view_store import SERVED_THREADS
from projections.views_file import ViewsEnded, ViewsFile

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

log = logging.getLogger(__name__)
FRESH_FOR = 0.01
"""Seconds a read of the store's latest position is reused by other requests (a hot server asks the
store at most about a hundred times a second; this server's own writes count at once)."""
CLOSE_WAIT = 3.0
"""Seconds a server's stop waits for the views' catch-up to finish its step (``LiveViews.close``)."""


class LiveViews:
    def __init__(self, recorder: LedgerStore, path: Path, poll_interval: float = 0.1) -> None:
        self.recorder = recorder
        self.path = path
        self.poll_interval = poll_interval
        self.file = ViewsFile(recorder, path, refresh=False, on_replace=self._drop_cursors, threads=SERVED_THREADS)
        self.position = self.runner.position()
        mark_served(path)  # CLI readers use a cache of their own meanwhile (projections.served_views)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self.generation = 0  # a new views file (after a forget) makes the threads' cursors stale
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: tuple[int, float] = (0, float("-inf"))  # (store position, when it was read)
        self.listeners: list[Callable[[int], None]] = []
        """Called (from the catch-up thread) with each new views position."""

    @property
    def runner(self) -> ProjectionRunner:
        return self.file.runner

    def store_position(self, max_age: float = FRESH_FOR) -> int:
        """The store's latest position, read at most ``max_age`` seconds ago."""
        position, when = self._known
        now = time.monotonic()
        if now - when <= max_age:
            return position
        position = int(self.recorder.max_notification_id() or 0)
        self._known = (max(position, self._known[0]), now)
        return self._known[0]

    def known_position(self) -> int | None:
        """The store position read within ``FRESH_FOR`` seconds, or None (then ask ``store_position``)."""
        position, when = self._known
        return position if time.monotonic() - when <= FRESH_FOR else None

    def note_written(self, position: int | None) -> None:
        """This server wrote up to ``position``: its next read must see it (read-your-writes). The
        background catch-up picks it up at its next poll, so a stream of writes is projected in
        larger, cheaper batches (live pages hear of a write within ``poll_interval``)."""
        if position is not None:
            known, when = self._known
            self._known = (max(known, position), when)

    def catch_up(self, until: int | None = None) -> int:
        """Project new events (at least up to ``until``); returns the views position."""
        if until is not None and self.position >= until:
            return self.position
        return self._advance(lambda: caught_up(self.file).position, until)

    def rebuild(self) -> int:
        """Rebuild the file from zero now (after a forget: ``domain.service.forget.Rebuilds``)."""
        return self._advance(lambda: self.file.rebuild().position)

    def _advance(self, step: Callable[[], int], until: int | None = None) -> int:
        """Run ``step`` (which moves the views) alone, then tell the listeners of a new position."""
        with self._write_lock:
            if until is not None and self.position >= until:
                return self.position
            before = self.position
            self.position = step()
        if self.position != before:
            for listener in list(self.listeners):
                listener(self.position)
        return self.position

    def fresh(self, max_age: float = FRESH_FOR) -> int:
        """Catch up to the store's latest position (what every read does first)."""
        return self.catch_up(self.store_position(max_age))

    def _drop_cursors(self) -> None:
        """The file was rebuilt after a forget: the threads' cursors on the old one go (the next read
        opens one on the new file, through a runner whose key cache no longer holds the destroyed key)."""
        for cursor in self._cursors:
            cursor.close()
        self._cursors.clear()
        self.generation += 1

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """This thread's cursor, opened anew on the current file when the file was replaced since its last one:
        its generation is at least the one current when ``reading`` was entered."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None or getattr(self._local, "generation", None) != self.generation:
            with self._write_lock:  # never on a connection being replaced
                cursor = self.runner.con.cursor()
                self._local.cursor = cursor
                self._local.generation = self.generation
                self._cursors.append(cursor)
        held = self._held()
        held.append(self._local.generation)
        try:
            yield cursor
        finally:
            held.pop()

    def _held(self) -> list[int]:
        """The generations of the cursors this thread reads on now (``reading`` within ``reading``)."""
        if not hasattr(self._local, "held"):
            self._local.held = []
        return self._local.held  # type: ignore[no-any-return]

    def reading_generation(self) -> int:
        """The generation of the views file this thread reads from, or an older one: the oldest of the cursors it
        reads on now (a read nested in another may have opened one on a newer file), else the current one (its
        next read opens a cursor at least that new). What the thread computes is kept under it (``Server.remember``):
        under the current generation, a part read on a file replaced meanwhile (a forget) would outlive it."""
        held = self._held()
        return min(held) if held else self.generation

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._follow, name="views-catch-up", daemon=True)
            self._thread.start()

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.fresh(max_age=0)
            except ViewsEnded:  # the stop closed the file between this round's look at the stop and its read
                return
            except LockWaitTimeout as error:  # another session's lock: its one line says it all
                log.warning("views catch-up (retrying): %s", error)
                time.sleep(1.0)
            except Exception:  # a store hiccup must not end the server's catch-up for good
                log.exception("views catch-up failed; retrying")
                time.sleep(1.0)

    def close(self) -> bool:
        """Stop the catch-up and close the file; whether it could. A catch-up waiting out a store lock (up to its
        bound, 30 s by default) held the server's stop as long: after ``CLOSE_WAIT`` seconds the file is left to the
        process's end instead (DuckDB keeps every committed page; one half-projected is rolled back when it is
        opened next), and so must the store be, which the catch-up is reading."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + CLOSE_WAIT
        if self._thread is not None:
            self._thread.join(timeout=CLOSE_WAIT)
        if not self._write_lock.acquire(timeout=max(0.1, deadline - time.monotonic())):
            log.warning("views: the catch-up still waits for the store after %s s; the file is closed at exit",
                        CLOSE_WAIT)
            unmark_served(self.path)
            return False
        try:
            for cursor in self._cursors:
                with suppress(duckdb.Error):  # one a stream's given-up read still runs on may refuse (seen once)
                    cursor.close()
            self.file.end()
            unmark_served(self.path)
        finally:
            self._write_lock.release()
        return self._thread is None or not self._thread.is_alive()  # alive: still reading the store
