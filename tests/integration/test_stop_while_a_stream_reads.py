"""A server's stop while a live stream's read is under way (waiting for another process's lock): the store is left
to the process's end, not closed under the read (its connection would be freed while in use)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.service.ledger import Ledger
from tests.support.run_alone import run_alone
from web.server import Server
from web.settings import ServerSettings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A started server on a SQLite file, stopped at the end if the test did not (its threads would outlive it)."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger.open(store).close()
    started = Server(ServerSettings(store, tmp_path / "views.duckdb"))
    started.start()
    yield started
    if not started.stop.is_set():
        started.close()


def test_a_stop_leaves_the_store_to_a_stream_read_under_way(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    release, began = threading.Event(), threading.Event()

    def read_held_by_a_lock() -> int:
        began.set()
        release.wait(10)
        return server.ledger.store.max_notification_id() or 0  # the store, still open

    async def stop_while_reading() -> int:
        reading = server.streams.reads.run(read_held_by_a_lock)
        await asyncio.get_running_loop().run_in_executor(None, began.wait, 5)
        with caplog.at_level(logging.WARNING):
            await asyncio.get_running_loop().run_in_executor(None, server.close)
        release.set()
        return int(await reading)

    assert run_alone(stop_while_reading()) >= 0
    assert "left open to the process's end, still in use by the live streams' reads" in caplog.text
    server.ledger.close()


def test_a_stop_with_no_read_under_way_closes_the_store(server: Server) -> None:
    async def one_read() -> int:
        return int(await server.streams.reads.run(lambda: server.ledger.store.max_notification_id() or 0))

    assert run_alone(one_read()) >= 0
    server.close()
    with pytest.raises(Exception):  # noqa: B017 - closed: any use of it fails
        server.ledger.store.max_notification_id()
