"""One computation of an answer for all who miss it at once (single flight), for the answer caches.

Answers that change with the clock come under new keys all the time (a new second, a new hour), and many readers
asking at once would otherwise each compute the same answer, each slower for the others. Those who find it being
computed wait for it, but only for ``wait_seconds``: a computation stuck or far slower than usual must not hold
every reader behind it, so a waiter then computes the answer itself, and the next reader to miss it starts a new
computation rather than joining the stuck one.
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


class Abandoned(Exception):
    """What waiters get from a computation that ended not by failing but by its own thread being stopped
    (``KeyboardInterrupt``, ``SystemExit``) or by an error its caller says is that thread's own (its cursor
    interrupted or closed): that is no answer to share, so each computes its own."""


def no_own_errors(error: Exception) -> bool:
    return False


class Flights:
    """The computations in progress of one cache, by key. ``lock`` is the cache's own: looking an answer up and
    joining its computation are one step, and so are keeping an answer and ending its computation (no one misses
    both)."""

    def __init__(self, lock: threading.Lock, wait_seconds: float = WAIT_SECONDS,
                 own: Callable[[Exception], bool] = no_own_errors) -> None:
        self._lock = lock
        self.wait_seconds = wait_seconds
        self.own = own
        self._running: dict[Hashable, tuple[Future[Any], int]] = {}
        """Answers being computed -> (their future, the computing thread)."""

    def answer(self, key: Hashable, look_up: Callable[[], Any], compute: Callable[[], V],
               keep: Callable[[V], None]) -> V:
        """``look_up()`` (under the lock; ``MISS`` when not held), or ``compute()`` once for all who miss it
        meanwhile (outside the lock: different answers are computed concurrently), then ``keep(answer)`` (under
        the lock). A failed computation (an ``Exception``) fails its waiters too, one failure rather than one per
        waiter, unless ``own`` says the error is the computing thread's own; it keeps nothing."""
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
            return self._awaited(key, flight, me, compute, keep)
        try:
            answer = compute()
        except BaseException as error:
            with self._lock:
                self._end(key, future)
            shared = isinstance(error, Exception) and not self.own(error)
            future.set_exception(error if shared else Abandoned(repr(error)))
            raise
        with self._lock:
            keep(answer)
            self._end(key, future)
        future.set_result(answer)
        return answer

    def _end(self, key: Hashable, future: Future[Any]) -> None:
        """Under the lock: ``future``'s computation is no longer the one in progress for ``key`` (if it still was:
        one that outlasted its waiters' patience was dropped already, and a new one may have started)."""
        flight = self._running.get(key)
        if flight is not None and flight[0] is future:
            del self._running[key]

    def _awaited(self, key: Hashable, flight: tuple[Future[Any], int], me: int, compute: Callable[[], V],
                 keep: Callable[[V], None]) -> V:
        """The other computation's answer; or, when the computing thread is this one (a question within its own
        answer), it was abandoned, or it takes longer than ``wait_seconds``, this thread's own (and a stuck
        computation is then no longer the one in progress: no one else waits for it)."""
        future, computing = flight
        if computing != me:
            try:
                return future.result(timeout=self.wait_seconds)  # type: ignore[no-any-return]
            except Abandoned:
                pass
            except TimeoutError:
                with self._lock:
                    self._end(key, future)
        answer = compute()
        with self._lock:
            keep(answer)
        return answer
