"""Single flight (``domain.service.single_flight``) as the answer caches use it: one computation for all who miss
an answer at once, but a waiter never waits on a stuck computation for longer than its bound."""

from __future__ import annotations

import threading
import time
from typing import Any

from domain.service.answers import AnswerCache
from domain.service.single_flight import MISS, Flights


def test_a_waiter_computes_the_answer_itself_when_the_computation_it_waits_for_is_stuck() -> None:
    cache = AnswerCache(size=4, wait_seconds=0.2)
    stuck, released = threading.Event(), threading.Event()
    answers: list[str] = []

    def stuck_computation() -> str:
        stuck.set()
        released.wait(timeout=30)
        return "late"

    first = threading.Thread(target=lambda: answers.append(cache.answer("q", 1, 0, stuck_computation)))
    first.start()
    assert stuck.wait(timeout=5)
    waiter = threading.Thread(target=lambda: answers.append(cache.answer("q", 1, 0, lambda: "own")))
    started = time.monotonic()
    waiter.start()
    waiter.join(timeout=10)
    try:
        assert not waiter.is_alive(), "the waiter is still waiting for the stuck computation"
        assert answers == ["own"] and time.monotonic() - started >= 0.2  # it did wait, for its bound
        assert cache.get("q", 1, 0) == "own"  # kept for those who come next
    finally:
        released.set()
        first.join(timeout=10)
    assert answers == ["own", "late"]


def test_waiters_within_the_bound_share_one_computation_and_its_failure() -> None:
    lock = threading.Lock()
    kept: dict[str, Any] = {}
    flights = Flights(lock, wait_seconds=10)
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []
    outcomes: list[Any] = []

    def failing() -> str:
        calls.append(1)
        started.set()
        release.wait(timeout=10)
        raise RuntimeError("views unavailable")

    def ask() -> None:
        try:
            outcomes.append(flights.answer("k", lambda: kept.get("k", MISS), failing, lambda a: kept.update(k=a)))
        except RuntimeError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    threads[0].start()
    assert started.wait(timeout=5)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.2)  # the others are waiting now
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert calls == [1] and outcomes == ["views unavailable"] * 4 and kept == {}
