"""A live stream ends at once when it should (a stop, a sign-out), also while something of it waits for the store:
its own read of the positions, or the watcher's check of a sign-in. Either used to hold the stream open for as long
as the store waited for a lock (up to 30 s), past uvicorn's grace for a stop. Here the waits are a read that blocks
until released (what a store lock looks like from the event loop), so the tests need no store and no process."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from types import SimpleNamespace
from typing import Any, TypeVar

import anyio.to_thread

from domain.service.stopping import Stop
from tests.support.run_alone import run_alone
from web.position_stream import positions
from web.streams import READ_THREADS, UNSTARTED_SECONDS, Streams

T = TypeVar("T")
HELD = 30.0
"""Seconds a blocked read would wait if nobody gave it up."""
PROMPTLY = 3.0
"""Seconds within which an end counts as at once: the watcher looks every ``STOP_POLL_SECONDS``; a machine busy with
other tests may take a while longer, but nowhere near ``HELD``."""


async def until(condition: Any, timeout: float = 10.0) -> None:
    """Wait for ``condition()`` (a thread's progress), at most ``timeout`` seconds."""
    waited = time.monotonic()
    while not condition() and time.monotonic() - waited < timeout:
        await asyncio.sleep(0.02)


def blocked_until(released: threading.Event) -> Any:
    def seen(after: int, upto: int) -> list[int]:
        released.wait(HELD)
        return list(range(after + 1, upto + 1))
    return seen


async def seconds_to_end(stop: Stop, body: Any) -> float:
    """Start the body's read of what is new, stop the server meanwhile: how long the body took to end."""
    assert await body.__anext__() == ": positions follow\n\n"
    reading = asyncio.ensure_future(body.__anext__())
    await asyncio.sleep(0.3)
    assert not reading.done(), "the body is not waiting for its read"
    asked = time.monotonic()
    stop.set()
    with contextlib.suppress(StopAsyncIteration):  # the body ended: what it is meant to do
        await asyncio.wait_for(reading, 10)
    return time.monotonic() - asked


def test_a_stop_ends_a_stream_whose_read_waits_for_the_store() -> None:
    released = threading.Event()

    async def scenario() -> tuple[float, bool]:
        stop = Stop()
        streams = Streams(per_token=5, per_server=10, stop=stop)
        live = streams.admit("token", "", lambda: True)
        server = SimpleNamespace(views=SimpleNamespace(position=5), streams=streams)
        body = positions(None, server, live, blocked_until(released), 0, [])  # type: ignore[arg-type]
        took = await seconds_to_end(stop, body)
        return took, live in streams.open

    try:
        took, still_open = run_alone(scenario())
    finally:
        released.set()
    assert took < PROMPTLY, f"the stream ended {took:.2f} s after the stop"
    assert not still_open


def test_a_stop_ends_the_streams_while_a_sign_in_check_waits_for_the_store() -> None:
    released, checking = threading.Event(), threading.Event()

    def still_valid() -> bool:
        checking.set()
        released.wait(HELD)
        return True

    async def scenario() -> float:
        stop = Stop()
        streams = Streams(per_token=5, per_server=10, stop=stop)
        live = streams.admit("token", "", still_valid)
        while not checking.is_set():  # the watcher's first check of the sign-in (after about 2 s) waits now
            await asyncio.sleep(0.05)
        asked = time.monotonic()
        stop.set()
        while not live.ended and time.monotonic() - asked < 10:
            await asyncio.sleep(0.01)
        return time.monotonic() - asked

    try:
        took = run_alone(asyncio.wait_for(scenario(), 20))
    finally:
        released.set()
    assert took < PROMPTLY, f"the stream ended {took:.2f} s after the stop"


def test_streams_waiting_for_the_store_wait_in_a_few_threads_also_once_given_up() -> None:
    """Every stream woken by a new position reads it at once; under a store lock each read waits for the whole
    bound. They wait in ``READ_THREADS`` threads of their own, so the server's requests, which share its 40, still
    get one; and a read given up (its stream ended) keeps its thread until it returns, so ending streams and opening
    new ones does not let more reads wait at once (anyio's pool freed the place at once: 8, 16, 24... waiting)."""
    released = threading.Event()
    entered: list[int] = []

    def seen(after: int, upto: int) -> list[int]:
        entered.append(after)
        released.wait(HELD)
        return []

    async def reading_streams(streams: Streams, token: str, count: int) -> list[asyncio.Future[Any]]:
        server = SimpleNamespace(views=SimpleNamespace(position=5), streams=streams)
        bodies = [positions(None, server, streams.admit(token, "", lambda: True), seen, 0, [])  # type: ignore[arg-type]
                  for _ in range(count)]
        for body in bodies:
            await body.__anext__()
        return [asyncio.ensure_future(body.__anext__()) for body in bodies]

    async def scenario() -> tuple[int, float, int, int]:
        streams = Streams(per_token=100, per_server=100, stop=Stop())
        first = await reading_streams(streams, "first", READ_THREADS * 2)
        await until(lambda: len(entered) >= READ_THREADS)
        await asyncio.sleep(0.3)  # room for more to start, if they could
        at_first = len(entered)
        asked = time.monotonic()
        assert await asyncio.wait_for(anyio.to_thread.run_sync(lambda: 1), 5) == 1  # a request's thread
        took = time.monotonic() - asked
        streams._end(lambda stream: stream.token_id == "first")  # signed out: their reads are given up
        await asyncio.wait(first, timeout=5)
        assert all(body.done() for body in first)
        later = await reading_streams(streams, "later", READ_THREADS)
        await asyncio.sleep(0.5)
        after_ending = len(entered)
        released.set()
        await until(lambda: len(entered) >= 2 * READ_THREADS)
        await asyncio.wait(later, timeout=10)
        return at_first, took, after_ending, len(entered)

    try:
        at_first, took, after_ending, in_all = run_alone(asyncio.wait_for(scenario(), 30))
    finally:
        released.set()
    assert at_first == READ_THREADS
    assert took < PROMPTLY
    assert after_ending == READ_THREADS, "reads given up made room for more reads waiting at once"
    assert in_all == 2 * READ_THREADS  # then the later reads; the first ones queued when given up never ran


def test_a_stream_whose_client_left_before_its_body_ran_ends_when_it_runs() -> None:
    """Its place is freed after ``UNSTARTED_SECONDS``; a body that runs after all must end at once, as no stop or
    sign-out reaches a stream no longer open."""
    async def scenario() -> tuple[bool, bool, list[str]]:
        streams = Streams(per_token=5, per_server=10, stop=Stop())
        live = streams.admit("token", "", lambda: True)
        live.admitted -= UNSTARTED_SECONDS + 1
        await streams._check()
        server = SimpleNamespace(views=SimpleNamespace(position=0), streams=streams)
        sent = [line async for line in positions(None, server, live, lambda a, b: [], 0, [])]  # type: ignore[arg-type]
        return live in streams.open, live.done.is_set(), sent

    still_open, done, sent = run_alone(asyncio.wait_for(scenario(), 10))
    assert not still_open and done
    assert sent == [": positions follow\n\n"]
