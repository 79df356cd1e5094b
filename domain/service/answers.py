"""One answer cache for every reader of a server's views (the API's JSON, the pages' queries).

Answers are kept per views position: any new event makes a new position, so a cached answer is
never stale. When the views file is rebuilt (a subject was forgotten: a new ``generation``) no answer
computed before may stay, even an unreachable one, as it may hold the subject's plaintext.

Concurrent misses of one answer wait for one computation of it (single flight): answers that change
with the clock are keyed by the second too, so a new key comes every second, and many clients asking
at once would otherwise each compute the same answer, each slower for the others.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, Final, TypeVar

V = TypeVar("V")
MISS: Final = object()
"""What ``AnswerCache.get`` returns for an answer it does not hold."""


class AnswerCache:
    """The ``size`` most recently used answers, keyed by (question, views position); thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[Hashable, int], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._flights: dict[tuple[Hashable, int, int], tuple[Future[Any], int]] = {}
        """Answers being computed -> (their future, the computing thread): those who miss them wait."""

    def _current(self, generation: int) -> None:
        if self._generation != generation:
            self._answers.clear()
            self._generation = generation

    def get(self, question: Hashable, position: int, generation: int) -> Any:
        """The answer to ``question`` at views ``position``, or ``MISS``."""
        with self._lock:
            return self._get(question, position, generation)

    def _get(self, question: Hashable, position: int, generation: int) -> Any:
        self._current(generation)
        found = self._answers.get((question, position), MISS)
        if found is not MISS:
            self._answers.move_to_end((question, position))
        return found

    def put(self, question: Hashable, position: int, generation: int, answer: Any) -> None:
        with self._lock:
            self._put(question, position, generation, answer)

    def _put(self, question: Hashable, position: int, generation: int, answer: Any) -> None:
        self._current(generation)
        self._answers[(question, position)] = answer
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def answer(self, question: Hashable, position: int, generation: int, compute: Callable[[], V]) -> V:
        """The cached answer, or ``compute()`` once for all who miss it meanwhile (outside the lock: different
        answers are computed concurrently). A failed computation fails its waiters too and caches nothing."""
        flight_key = (question, position, generation)
        me = threading.get_ident()
        with self._lock:
            found = self._get(question, position, generation)
            if found is not MISS:
                return found  # type: ignore[no-any-return]
            flight = self._flights.get(flight_key)
            future: Future[V] = Future()
            if flight is None:
                self._flights[flight_key] = (future, me)
        if flight is not None:
            # the computing thread asking again (a question within its own answer) computes, never waits on itself
            return compute() if flight[1] == me else flight[0].result()
        try:
            answer = compute()
        except BaseException as error:
            with self._lock:
                del self._flights[flight_key]
            future.set_exception(error)
            raise
        with self._lock:  # kept and landed at once: no one misses both
            self._put(question, position, generation, answer)
            del self._flights[flight_key]
        future.set_result(answer)
        return answer
