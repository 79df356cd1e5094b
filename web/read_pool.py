"""A few threads of their own for the live streams' reads of new positions (``web.position_stream``).

Under a store lock every stream's read waits for the lock's whole bound (30 s by default), and a stream that ends
meanwhile (a stop, a sign-out, its client gone) gives its read up. Neither general pool bounds that: anyio frees
a given-up read's place at once while its thread goes on waiting, so each round of ended streams let as many
more reads wait beside them, in as many more threads (and PostgreSQL connections); a ``ThreadPoolExecutor``'s
threads are joined at exit, so a given-up read would hold up the process's stop. Here a given-up read keeps its
thread until it returns, reads queue for the ``threads`` daemon threads, and one given up before it began is
never run. At a stop no queued read begins, and the server learns whether one is still under way (it then leaves
the store open to the process's end rather than close it under that read).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

Work = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop] | None
"""A read, or None: a thread's end."""


class ReadPool:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._work: queue.SimpleQueue[Work] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._starting = threading.Lock()
        self._closed = False

    def run(self, read: Callable[[], Any]) -> asyncio.Future[Any]:
        """``read()`` in one of the pool's threads, as a future of the running loop's: cancel it to give it up.
        After ``close`` the future comes cancelled: the read is never run."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        future.add_done_callback(_heard)
        with self._starting:
            if self._closed:
                future.cancel()
                return future
            self._start()
            self._work.put((read, future, loop))
        return future

    def close(self, wait: float = 0.0) -> bool:
        """End the threads: no queued read begins any more. True once none is under way (``wait`` seconds at most):
        False leaves a read using the store."""
        with self._starting:
            self._closed = True
            for _ in self._threads:
                self._work.put(None)
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _start(self) -> None:
        """Start the threads at the first read (called under ``_starting``)."""
        if not self._threads:
            self._threads = [threading.Thread(target=self._serve, name=f"stream-read-{number}", daemon=True)
                             for number in range(self.threads)]
            for thread in self._threads:
                thread.start()

    def _serve(self) -> None:
        while (work := self._work.get()) is not None:
            read, future, loop = work
            if self._closed:  # stopped while queued: given up, as the stream ends
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(future.cancel)
                continue
            if future.cancelled():  # given up while queued (a benign read of another thread's future's state)
                continue
            try:
                settle = (future.set_result, read())
            except BaseException as error:
                settle = (future.set_exception, error)
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits for it
                loop.call_soon_threadsafe(_settle, future, *settle)


def _settle(future: asyncio.Future[Any], outcome: Callable[[Any], None], value: Any) -> None:
    if not future.cancelled():
        outcome(value)


def _heard(future: asyncio.Future[Any]) -> None:
    """A read's failure that came as its stream was given up is nobody's to raise: retrieved here, so asyncio does
    not log it as never retrieved."""
    if not future.cancelled():
        future.exception()
