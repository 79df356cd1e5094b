"""Single flight (``domain.service.single_flight``) as the answer caches use it: one computation for all who miss
an answer at once, but a waiter never waits on a stuck computation for longer than its bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from domain.service.answers import AnswerCache
from domain.service.single_flight import MISS, Flights, no_own_errors
from projections.signals.own_errors import cursors_own


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


@dataclass
class Asking:
    flights: Flights
    outcomes: list[Any]
    threads: list[threading.Thread]

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=10)
            assert not thread.is_alive()


def flight_of(n: int, compute: Callable[[], str], wait_seconds: float = 10,
              own: Callable[[Exception], bool] = no_own_errors) -> Asking:
    """``n`` threads asking ``Flights`` for one answer, the first computing it with ``compute`` (the others their
    own "own" if they do); returns once the others all missed it: each looks it up once, under the lock, and joins
    the flight in that same step, so none can start a computation of its own (no sleeping and hoping)."""
    flights = Flights(threading.Lock(), wait_seconds, own)
    missed = threading.Semaphore(0)
    outcomes: list[Any] = []

    def look_up() -> object:
        missed.release()
        return MISS

    def ask(computing: Callable[[], str]) -> None:
        try:
            outcomes.append(flights.answer("k", look_up, computing, lambda a: None))
        except (RuntimeError, KeyboardInterrupt, duckdb.Error) as error:
            outcomes.append(repr(error))

    threads = [threading.Thread(target=ask, args=(compute if i == 0 else (lambda: "own"),)) for i in range(n)]
    threads[0].start()
    assert missed.acquire(timeout=5)
    for thread in threads[1:]:
        thread.start()
    for _ in threads[1:]:
        assert missed.acquire(timeout=5)
    return Asking(flights, outcomes, threads)


def test_waiters_within_the_bound_share_one_computation_and_its_failure() -> None:
    release = threading.Event()
    calls: list[int] = []

    def failing() -> str:
        calls.append(1)
        assert release.wait(timeout=10)
        raise RuntimeError("views unavailable")

    asking = flight_of(4, failing)
    release.set()  # every other thread has joined the flight by now
    asking.join()
    assert calls == [1] and asking.outcomes == [repr(RuntimeError("views unavailable"))] * 4


def test_waiters_compute_their_own_answer_when_the_computing_thread_is_interrupted() -> None:
    """Ctrl-C (or an exit) in one thread is that thread's, not an error of the answer to pass on to the others."""
    release = threading.Event()

    def interrupted() -> str:
        assert release.wait(timeout=10)
        raise KeyboardInterrupt

    asking = flight_of(3, interrupted)
    release.set()
    asking.join()
    assert sorted(asking.outcomes) == ["KeyboardInterrupt()", "own", "own"]


def test_waiters_compute_their_own_answer_when_the_computing_threads_cursor_is_closed_under_it() -> None:
    """As the signal caches use it: a cursor closed while it read (its request gone) fails that thread only."""
    release = threading.Event()
    cursor = duckdb.connect().cursor()

    def reading() -> str:
        assert release.wait(timeout=10)
        cursor.close()
        return str(cursor.execute("SELECT 1").fetchall())

    asking = flight_of(3, reading, own=cursors_own)
    release.set()
    asking.join()
    assert sorted(asking.outcomes)[1:] == ["own", "own"] and "ConnectionException" in sorted(asking.outcomes)[0]


def test_a_stuck_computation_is_no_longer_joined_once_a_waiter_gave_up_on_it() -> None:
    release = threading.Event()
    asking = flight_of(2, lambda: "late" if release.wait(timeout=30) else "never", wait_seconds=0.05)
    flights, outcomes = asking.flights, asking.outcomes
    try:
        asking.threads[1].join(timeout=10)
        assert outcomes == ["own"]
        flights.wait_seconds = 30  # one who joined the stuck computation now would wait for it
        asked = threading.Thread(target=lambda: outcomes.append(flights.answer("k", lambda: MISS, lambda: "new",
                                                                                lambda a: None)))
        asked.start()
        asked.join(timeout=10)
        assert outcomes == ["own", "new"]
    finally:
        release.set()
        asking.join()
    assert outcomes == ["own", "new", "late"]


def test_the_answer_cache_lets_waiters_compute_their_own_when_the_computing_cursor_is_closed() -> None:
    """The server's answer cache is built with the views' ``cursors_own``: a request whose cursor is closed under
    it (a rebuild after a forget) fails alone; those waiting for its answer read it on their own cursors."""
    cache = AnswerCache(size=4, wait_seconds=30, own=cursors_own)
    con = duckdb.connect(":memory:")
    doomed = con.cursor()
    computing, waiter_in = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def reading() -> str:
        computing.set()
        assert waiter_in.wait(timeout=10)
        doomed.close()
        return str(doomed.execute("SELECT 1").fetchone())

    def ask(compute: Callable[[], str]) -> None:
        try:
            outcomes.append(cache.answer("q", 1, 0, compute))
        except Exception as error:
            outcomes.append(type(error).__name__)

    first = threading.Thread(target=ask, args=(reading,))
    first.start()
    assert computing.wait(timeout=10)
    looked_up = cache._get  # the waiter looks the answer up and joins the flight in one step, under the lock

    def look_up(*key: Any) -> Any:
        found = looked_up(*key)
        waiter_in.set()  # released with the lock, joined: the computation may fail now
        return found

    cache._get = look_up  # type: ignore[method-assign]
    waiter = threading.Thread(target=ask, args=(lambda: "own",))
    waiter.start()
    first.join(timeout=10)
    waiter.join(timeout=10)
    assert sorted(outcomes) == ["ConnectionException", "own"]
