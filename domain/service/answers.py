"""One answer cache for every reader of a server's views (the API's JSON, the pages' queries).

Answers are kept per views position: any new event makes a new position, so a cached answer is
never stale. When the views file is rebuilt (a subject was forgotten: a new ``generation``) no answer
computed before may stay, even an unreachable one, as it may hold the subject's plaintext. Generations only grow:
an answer of an older one than the newest seen (its thread still read the replaced file) is computed but neither
kept nor served, and clears nothing (it must not drop the new file's answers, nor bring the old file back).

Concurrent misses of one answer wait for one computation of it, for a bounded time
(``domain.service.single_flight``): answers that change with the clock are keyed by the second too, so a
new key comes every second, and many clients asking at once would otherwise each compute the same answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from domain.service.single_flight import MISS, WAIT_SECONDS, Flights, no_own_errors

__all__ = ["MISS", "AnswerCache"]

V = TypeVar("V")


class AnswerCache:
    """The ``size`` most recently used answers, keyed by (question, views position); thread-safe."""

    def __init__(self, size: int, wait_seconds: float = WAIT_SECONDS,
                 own: Callable[[Exception], bool] = no_own_errors) -> None:
        """``own``: which errors of a computation are its thread's own (its cursor interrupted or closed), so
        its waiters compute the answer themselves instead of failing with it (the views' adapter knows which)."""
        self.size = size
        self._answers: OrderedDict[tuple[Hashable, int], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._flights = Flights(self._lock, wait_seconds, own)
        """Answers being computed: those who miss them wait (``domain.service.single_flight``)."""

    def _admits(self, generation: int) -> bool:
        """Whether answers of ``generation`` may be kept and served: those of the newest one seen. A newer one
        drops every answer before it."""
        if self._generation is None or generation > self._generation:
            self._answers.clear()
            self._generation = generation
        return generation == self._generation

    def get(self, question: Hashable, position: int, generation: int) -> Any:
        """The answer to ``question`` at views ``position`` of the views file's ``generation``, or ``MISS``."""
        with self._lock:
            return self._get(question, position, generation)

    def _get(self, question: Hashable, position: int, generation: int) -> Any:
        if not self._admits(generation):
            return MISS
        found = self._answers.get((question, position), MISS)
        if found is not MISS:
            self._answers.move_to_end((question, position))
        return found

    def put(self, question: Hashable, position: int, generation: int, answer: Any) -> None:
        """Keep ``answer`` (unless a newer generation was seen). ``generation``: of the views file the answer was
        read from, or an older one; never a newer one, or the answer would outlive the file's replacement."""
        with self._lock:
            self._put(question, position, generation, answer)

    def _put(self, question: Hashable, position: int, generation: int, answer: Any) -> None:
        if not self._admits(generation):
            return
        self._answers[(question, position)] = answer
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def answer(self, question: Hashable, position: int, generation: int, compute: Callable[[], V]) -> V:
        """The cached answer, or ``compute()`` once for all who miss it meanwhile (``Flights.answer``)."""
        return self._flights.answer(
            (question, position, generation), lambda: self._get(question, position, generation), compute,
            lambda answer: self._put(question, position, generation, answer))
