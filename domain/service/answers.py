"""One answer cache for every reader of a server's views (the API's JSON, the pages' queries).

Answers are kept per views position: any new event makes a new position, so a cached answer is
never stale. When the views file is rebuilt (a subject was forgotten: a new ``generation``) no answer
computed before may stay, even an unreachable one, as it may hold the subject's plaintext.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
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

    def _current(self, generation: int) -> None:
        if self._generation != generation:
            self._answers.clear()
            self._generation = generation

    def get(self, question: Hashable, position: int, generation: int) -> Any:
        """The answer to ``question`` at views ``position``, or ``MISS``."""
        with self._lock:
            self._current(generation)
            found = self._answers.get((question, position), MISS)
            if found is not MISS:
                self._answers.move_to_end((question, position))
            return found

    def put(self, question: Hashable, position: int, generation: int, answer: Any) -> None:
        with self._lock:
            self._current(generation)
            self._answers[(question, position)] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def answer(self, question: Hashable, position: int, generation: int, compute: Callable[[], V]) -> V:
        """The cached answer, or ``compute()`` (outside the lock: answers are computed concurrently)."""
        found = self.get(question, position, generation)
        if found is not MISS:
            return found  # type: ignore[no-any-return]
        answer = compute()
        self.put(question, position, generation, answer)
        return answer
