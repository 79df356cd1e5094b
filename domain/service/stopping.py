"""Stopping a long-running command: SIGINT and SIGTERM set one ``Stop`` that every loop waits on.

Python's own SIGINT handler raises ``KeyboardInterrupt`` wherever the main thread happens to be,
and what becomes of it depends on where that is: inside a DuckDB call DuckDB turns it into
``RuntimeError: Query interrupted`` (a traceback and exit 1 instead of a clean stop, and lost to
any ``except Exception``), in a transaction it cuts the transaction short, and SIGTERM's default
kills the process outright. A handler that sets a ``threading.Event`` is no better: ``Event.set``
takes a lock the interrupted main thread may be holding (inside ``Event.wait``), and then it waits
for itself forever.

So the first signal only sets a flag and writes a byte to a pipe (no lock, nothing raised). Every
long-running loop (``project --follow``, ``serve``, ``ingest kafka``, ``ingest file``) waits on the
``Stop`` instead of sleeping (``stop.wait(seconds)`` wakes at once on a signal, from any thread)
and checks it between units of work (a page of events, a batch of messages), so a unit is never
cut in half and the views and the store stay consistent. A second signal while stopping means
"now": ``KeyboardInterrupt``.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import BinaryIO

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(Exception):
    """Raised between two units of work once a stop was requested (caught by the command: exit 0)."""


class Stop:
    """A stop request: ``set`` is safe in a signal handler; ``wait`` wakes every waiting thread at once."""

    def __init__(self) -> None:
        self._requested = False
        self.interrupting = False
        self._read, self._write = os.pipe()
        for fd in (self._read, self._write):
            os.set_blocking(fd, False)
            os.set_inheritable(fd, False)
        self.listeners: list[Callable[[], None]] = []
        """Called by ``set`` the first time (in the signal handler: they must only set flags)."""

    def set(self) -> None:
        if self._requested:
            return
        self._requested = True
        with suppress(OSError):  # a full pipe is readable already
            os.write(self._write, b"x")  # never read: the pipe stays readable, so every waiter wakes
        for listener in list(self.listeners):
            listener()

    def is_set(self) -> bool:
        return self._requested

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to ``timeout`` seconds, less if a stop is requested; whether one is."""
        if not self._requested:
            select.select([self._read], [], [], timeout)
        return self._requested

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """Inside, a stop signal also raises ``Stopped`` at once: for a read that waits for input
        (stdin) and holds nothing half done."""
        self.interrupting = True
        try:
            self.check()
            yield
        finally:
            self.interrupting = False

    def check(self) -> None:
        """Raise ``Stopped`` if a stop was requested (call it between units of work)."""
        if self._requested:
            raise Stopped

    def close(self) -> None:
        for fd in (self._read, self._write):
            os.close(fd)


@contextmanager
def stop_on_signals(stop: Stop | None = None, *, again: Callable[[], None] | None = None) -> Iterator[Stop]:
    """A ``Stop`` set by the first SIGTERM/SIGINT; the previous handlers come back on exit. A second
    signal calls ``again`` (default: raise ``KeyboardInterrupt``)."""
    stop = stop or Stop()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set()
            if stop.interrupting:
                raise Stopped
        elif again is not None:
            again()
        else:
            raise KeyboardInterrupt(f"signal {signum} while stopping")

    previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class StoppableReader:
    """A binary stream (stdin) whose ``readline`` ends the input (``b""``) once a stop is requested,
    even one that comes while it waits for input; a line read when it came is still given."""

    def __init__(self, stream: BinaryIO, stop: Stop) -> None:
        self.stream = stream
        self.stop = stop

    def readline(self, size: int = -1) -> bytes:
        got = b""
        if not self.stop.is_set():
            with suppress(Stopped), self.stop.interruptible():
                got = self.stream.readline(size)
        return got

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


def store_left_open(*users: str) -> None:
    """Say that a stop leaves the store open to the process's exit, as ``users`` (background work that did not stop
    in time, waiting for another process's lock) still use it: closed under them, their connection would be freed
    while in use."""
    logging.getLogger(__name__).warning("the store is left open to the process's end, still in use by %s",
                                        " and ".join(users))


def exit_stopped(code: int = 0) -> None:
    """End a stopped process once it closed its views and its store: flush and ``os._exit(code)``.

    The interpreter's own shutdown would then collect what is left (DuckDB cursors of worker threads,
    pyarrow buffers) while daemon threads are frozen where they stood: a DuckDB object whose
    destructor waits for a lock such a thread holds never returns (seen: a stopped server stuck
    "Garbage-collecting" after it had finished)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(code)
