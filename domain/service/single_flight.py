"""One computation of an answer for all who miss it at once (single flight), for the answer caches.

Answers that change with the clock come under new keys all the time (a new second, a new hour), and many readers
asking at once would otherwise each compute the same answer, each slower for the others. Those who find it being
computed wait for it, but only for ``wait_seconds``: a computation stuck or far slower than usual must not hold
every reader behind it, so a waiter then computes the answer itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, Final, TypeVar

V = TypeVar("V")
MISS: Final = object()
"""What a cache's look-up returns for an answer it does not hold."""
WAIT_SECONDS = 30.0
"""How long a reader waits for another's computation of the same answer before computing it itself."""


class Flights:
    """The computations in progress of one cache, by key. ``lock`` is the cache's own: looking an answer up and
    joining its computation are one step, and so are keeping an answer and ending its computation (no one misses
    both)."""

    def __init__(self, lock: threading.Lock, wait_seconds: float = WAIT_SECONDS) -> None:
        self._lock = lock
        self.wait_seconds = wait_seconds
        self._running: dict[Hashable, tuple[Future[Any], int]] = {}
        """Answers being computed -> (their future, the computing thread)."""

    def answer(self, key: Hashable, look_up: Callable[[], Any], compute: Callable[[], V],
               keep: Callable[[V], None]) -> V:
        """``look_up()`` (under the lock; ``MISS`` when not held), or ``compute()`` once for all who miss it
        meanwhile (outside the lock: different answers are computed concurrently), then ``keep(answer)`` (under
        the lock). A failed computation fails its waiters too and keeps nothing."""
        me = threading.get_ident()
        with self._lock:
            found = look_up()
            if found is not MISS:
                return found  # type: ignore[no-any-return]
            flight = self._running.get(key)
            future: Future[V] = Future()
            if flight is None:
                self._running[key] = (future, me)
        if flight is not None:
            return self._awaited(flight, me, compute, keep)
        try:
            answer = compute()
        except BaseException as error:
            with self._lock:
                del self._running[key]
            future.set_exception(error)
            raise
        with self._lock:
            keep(answer)
            del self._running[key]
        future.set_result(answer)
        return answer

    def _awaited(self, flight: tuple[Future[Any], int], me: int, compute: Callable[[], V],
                 keep: Callable[[V], None]) -> V:
        """The other computation's answer; or, when the computing thread is this one (a question within its own
        answer) or it takes longer than ``wait_seconds``, this thread's own."""
        future, computing = flight
        if computing != me:
            try:
                return future.result(timeout=self.wait_seconds)  # type: ignore[no-any-return]
            except TimeoutError:
                pass
        answer = compute()
        with self._lock:
            keep(answer)
        return answer
