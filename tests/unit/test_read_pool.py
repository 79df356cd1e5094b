"""The live streams' read threads at a stop: no queued read begins, and ``close`` says whether one is still under
way (the server then leaves the store open rather than close it under that read)."""

from __future__ import annotations

import asyncio
import threading
import time

from tests.support.run_alone import run_alone
from web.read_pool import ReadPool


def test_a_read_runs_and_a_closed_idle_pool_has_ended() -> None:
    pool = ReadPool(2)

    async def read_once() -> int:
        return int(await pool.run(lambda: 41 + 1))

    assert run_alone(read_once()) == 42
    assert pool.close(wait=2.0)
    assert pool._threads and not [t for t in pool._threads if t.is_alive()]


def test_a_stop_waits_for_a_read_under_way_and_begins_no_queued_one() -> None:
    pool = ReadPool(1)
    release, began = threading.Event(), threading.Event()
    ran: list[str] = []

    def held() -> str:
        began.set()
        release.wait(10)
        ran.append("held")
        return "held"

    async def scenario() -> tuple[bool, bool, bool]:
        first = pool.run(held)
        queued = pool.run(lambda: ran.append("queued"))
        await asyncio.get_running_loop().run_in_executor(None, began.wait, 5)
        started = time.monotonic()
        ended = pool.close(wait=0.3)
        assert 0.25 <= time.monotonic() - started < 2.0
        after = pool.run(lambda: ran.append("after"))
        release.set()
        await asyncio.wait({first, queued}, timeout=5)
        return ended, first.result() == "held", queued.cancelled() and after.cancelled()

    ended, first_answered, others_given_up = run_alone(scenario())
    assert not ended  # a read was under way: the store must stay open for it
    assert first_answered and others_given_up
    assert ran == ["held"]
    assert pool.close(wait=5.0)  # the read returned: its thread has ended
