"""A few threads of their own for the live streams' reads of new positions (``web.position_stream``).

Under a store lock every stream's read waits for the lock's whole bound (30 s by default), and a stream that ends
meanwhile (a stop, a sign-out, its client gone) gives its read up. Neither general pool bounds that: anyio frees
a given-up read's place at once while its thread goes on waiting, so each round of ended streams let as many
more reads wait beside them, in as many more threads (and PostgreSQL connections); a ``ThreadPoolExecutor``'s
threads are joined at exit, so a given-up read would hold up the process's stop. Here a given-up read keeps its
thread until it returns, reads queue for the ``threads`` daemon threads, and one given up before it began is
never run.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

Work = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop] | None
"""A read, or None: a thread's end."""


class ReadPool:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._work: queue.SimpleQueue[Work] = queue.SimpleQueue()
        self._started = False
        self._starting = threading.Lock()

    def run(self, read: Callable[[], Any]) -> asyncio.Future[Any]:
        """``read()`` in one of the pool's threads, as a future of the running loop's: cancel it to give it up."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        future.add_done_callback(_heard)
        self._start()
        self._work.put((read, future, loop))
        return future

    def close(self) -> None:
        """End the threads once they are idle (a read under way is not waited for)."""
        with self._starting:
            if self._started:
                for _ in range(self.threads):
                    self._work.put(None)
                self._started = False

    def _start(self) -> None:
        with self._starting:
            if not self._started:
                for number in range(self.threads):
                    threading.Thread(target=self._serve, name=f"stream-read-{number}", daemon=True).start()
                self._started = True

    def _serve(self) -> None:
        while (work := self._work.get()) is not None:
            read, future, loop = work
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
