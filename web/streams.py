"""A server's live streams (``GET /api/events``): bounded, woken by one notifier, ended when their sign-in goes.

Each stream used to poll its own loop ten times a second: 4,000 idle streams kept a core busy. Now
the views' catch-up tells one notifier of each new position and every stream waits on it (an idle
stream costs nothing but its keep-alive every 15 s). One watcher task per server re-checks, every
``CHECK_SECONDS``, each distinct sign-in behind the open streams (a token by its id; a browser's
session too) and ends the streams of a revoked or expired token or a signed-out session; a stop
request (``domain.service.stopping``) ends them all at once. At most ``per_token`` streams per token
and ``per_server`` per server: past either, 429. A check the store cannot answer now (a lock waited out:
``domain.stores.lock_wait``) leaves the streams as they are until the next round: one failed check used to end
the watcher for good, so no stream was ended again, by a sign-out or a stop, until a new one was opened. The
checks run beside the watch for a stop, which a check waiting for a lock (30 s by default) used to hold up; a
stream's own read waits on its ``done`` as well (``web.position_stream``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from domain.service.stopping import Stop
from domain.service.tokens import Principal
from domain.stores.lock_wait import LockWaitTimeout
from web.auth import ApiError
from web.read_pool import ReadPool
from web.sessions import COOKIE, stored_key

log = logging.getLogger(__name__)
CHECK_SECONDS = 2.0
"""How often the sign-ins behind open streams are checked again (a revoked token's stream ends within it)."""
STOP_POLL_SECONDS = 0.2
KEEP_ALIVE_SECONDS = 15.0
UNSTARTED_SECONDS = 30.0
READ_THREADS = 8
"""Worker threads the streams' reads of new positions take at most, together: a store lock that holds every
stream's read (each waits up to the lock's bound) must not take all of the server's (40), which its requests need."""


@dataclass(eq=False)
class Stream:
    token_id: str
    sign_in: tuple[str, str]
    """What is checked again: (token id, session key or "")."""
    still_valid: Callable[[], bool]
    ended: bool = False
    started: bool = False
    """Set by the stream's body once it runs; one whose client left before that never runs its cleanup."""
    admitted: float = field(default_factory=time.monotonic)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the stream ends: a read of the store the body waits for is given up then."""


class Streams:
    def __init__(self, per_token: int, per_server: int, stop: Stop) -> None:
        self.per_token = per_token
        self.per_server = per_server
        self.stop = stop
        self.open: set[Stream] = set()
        self.per_token_open: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._checking: asyncio.Task[None] | None = None
        self.reads = ReadPool(READ_THREADS)
        """The streams' own threads for their reads of new positions."""

    def admit(self, token_id: str, session: str, still_valid: Callable[[], bool]) -> Stream:
        """A new stream, or a 429 past a limit (called on the event loop)."""
        if len(self.open) >= self.per_server:
            raise ApiError(429, f"this server has {self.per_server} live streams open, its limit", headers={
                "Retry-After": "30"})
        if self.per_token_open[token_id] >= self.per_token:
            raise ApiError(429, f"this token has {self.per_token} live streams open, the limit per token",
                           headers={"Retry-After": "30"})
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._changed = asyncio.Event()
        if self._watcher is None or self._watcher.done():
            self._watcher = self._loop.create_task(self._watch())
        stream = Stream(token_id, (token_id, session), still_valid)
        self.open.add(stream)
        self.per_token_open[token_id] += 1
        return stream

    def leave(self, stream: Stream) -> None:
        if stream in self.open:
            self.open.discard(stream)
            self.per_token_open[stream.token_id] -= 1
            if self.per_token_open[stream.token_id] <= 0:
                del self.per_token_open[stream.token_id]

    def notify(self, position: int = 0) -> None:
        """A new views position (from any thread): wake every stream once."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        if changed is not None:
            changed.set()

    async def wait(self, stream: Stream, timeout: float = KEEP_ALIVE_SECONDS) -> bool:
        """Until the next position, the stream's end or ``timeout``; False on a timeout."""
        changed = self._changed
        if changed is None or stream.ended:
            return True
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _watch(self) -> None:
        since_check = 0.0
        while self.open:
            await asyncio.sleep(STOP_POLL_SECONDS)
            since_check += STOP_POLL_SECONDS
            if self.stop.is_set():
                self._end(lambda stream: True)
                continue
            if since_check >= CHECK_SECONDS and (self._checking is None or self._checking.done()):
                since_check = 0.0  # checked beside this loop: a check may wait out a lock, a stop may not wait
                self._checking = asyncio.get_running_loop().create_task(self._check())

    async def _check(self) -> None:
        for stream in [s for s in self.open if not s.started and time.monotonic() - s.admitted > UNSTARTED_SECONDS]:
            stream.ended = True  # its client left before its body ran: its place is free again, and a body that
            stream.done.set()  # runs after all ends at once (no stop or sign-out would reach it, out of ``open``)
            self.leave(stream)
        first: dict[tuple[str, str], Stream] = {}
        for stream in list(self.open):
            first.setdefault(stream.sign_in, stream)
        gone = set()
        for sign_in, stream in first.items():
            try:
                if not await run_in_threadpool(stream.still_valid):
                    gone.add(sign_in)
            except LockWaitTimeout as busy:  # the rest would wait as long: all are checked again next round
                log.warning("live streams: their sign-ins are checked again in %s s: %s", CHECK_SECONDS, busy)
                break
            except Exception:
                log.exception("live streams: checking a sign-in failed; checked again in %s s", CHECK_SECONDS)
                break
        if gone:
            self._end(lambda stream: stream.sign_in in gone)

    def _end(self, which: Callable[[Stream], bool]) -> None:
        for stream in list(self.open):
            if which(stream):
                stream.ended = True
                stream.done.set()
        self._wake()


def admit_request(request: Request, principal: Principal) -> Stream:
    """A stream for this request's sign-in: a bearer token, or a browser's session (then its end counts too)."""
    from domain.service.tokens import AuthenticationFailed, authenticate_id
    from web.auth import bearer_token

    server = request.app.state.server
    sessions = getattr(request.app.state, "web_sessions", None)
    cookie = None if bearer_token(request) is not None or sessions is None else request.cookies.get(COOKIE)

    def still_valid() -> bool:
        try:
            authenticate_id(server.ledger, principal.token_id)
        except AuthenticationFailed:
            return False
        return cookie is None or (sessions is not None and bool(sessions.alive(cookie)))

    streams: Streams = server.streams
    return streams.admit(principal.token_id, stored_key(cookie) if cookie else "", still_valid)
