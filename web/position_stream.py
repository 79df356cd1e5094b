"""The body of ``GET /api/events`` (docs/brief.md §5): server-sent events, ``id: N`` / ``data: {"position": N}`` for
each new position its person may read, until the stream ends (``web.streams``).

Reading the positions may need the store: the views catch up with it first (``web.live_views``). When the store
waits out a lock another session holds (``domain.stores.lock_wait``) before the answer has begun, the request is
the API's 503 with ``Retry-After`` (``web.errors.busy``), so a ``Last-Event-ID`` behind the views is read before
the stream begins. Once it has begun its status cannot change: the stream then ends with a comment saying why
and ``retry:``, the wait in milliseconds after which an ``EventSource`` reconnects with the last ``id`` it saw, so
no position is lost. Either used to be an answer begun and cut off, with a traceback in the server's log.

A stream that ends (a stop, a sign-out) while its read waits for such a lock ends at once: the read is left to
finish in its thread. It used to hold the answer open for as long as the store waited (up to 30 s), past
uvicorn's grace for a stop, since a request's worker thread is not cancelled. The streams' reads share a few
threads of their own (``web.read_pool``, ``web.streams.READ_THREADS``): a lock that holds them all leaves the
server's requests their threads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from functools import partial

from fastapi import Request

from domain.stores.lock_wait import LockWaitTimeout
from web.errors import busy_refusal
from web.read_pool import ReadPool
from web.server import Server
from web.streams import Stream

SSE_BURST = 10_000
Seen = Callable[[int, int], list[int]]
"""``(after, upto)``: the positions in (after, upto] the stream's person may read."""


def news(seen: Seen, last: int, current: int) -> list[int]:
    """The positions in (last, current] to send: after a huge import, the latest ``SSE_BURST`` only."""
    return seen(max(last, current - SSE_BURST), current)


def event(position: int) -> str:
    return f"id: {position}\ndata: {json.dumps({'position': position})}\n\n"


def busy_ending(request: Request, error: LockWaitTimeout) -> str:
    """The last lines of a stream whose store was busy: why, and to reconnect after as long as the store waited."""
    message, headers = busy_refusal(request, error)
    return f": {message}\nretry: {int(headers['Retry-After']) * 1000}\n\n"


async def unless_ended(live: Stream, read: Callable[[], list[int]], pool: ReadPool) -> list[int] | None:
    """``read()`` in one of ``pool``'s threads, or None if the stream ends first (the read is then given up)."""
    reading = pool.run(read)
    ending = asyncio.ensure_future(live.done.wait())
    try:
        await asyncio.wait({reading, ending}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ending.cancel()
        if not reading.done():
            reading.cancel()
    return reading.result() if reading.done() and not reading.cancelled() else None


async def positions(request: Request, server: Server, live: Stream, seen: Seen, last: int,
                    first: list[int]) -> AsyncIterator[str]:
    """The stream of the positions after ``last``, beginning with ``first`` (a replay read before the answer began)."""
    live.started = True
    try:
        yield ": positions follow\n\n"
        for position in first:
            yield event(position)
        while not live.ended:
            current = server.views.position
            if current > last:
                try:
                    found = await unless_ended(live, partial(news, seen, last, current), server.streams.reads)
                except LockWaitTimeout as error:
                    yield busy_ending(request, error)
                    return
                if found is None:
                    return
                for position in found:
                    yield event(position)
                last = current
                continue
            if not await server.streams.wait(live) and not live.ended:
                yield ": keep-alive\n\n"
    finally:
        server.streams.leave(live)
