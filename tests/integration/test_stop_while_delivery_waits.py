"""A server's stop while its webhook delivery waits for the store's write lock another process holds (a CLI
import, a ``forget``): the delivery's threads outlive the stop's waits for them, so the store they use is left to the
process's end. The stop closed it under them: the close itself waited out the lock's bound, then the waiting write
ran on a connection freed under it (``MemoryError``, a closed pool, or a crash of the process)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from domain.service.ledger import Ledger
from notifications.webhooks.running import STOP_WAIT
from tests.support.sqlite_locks import write_lock_held
from web.server import Server
from web.settings import ServerSettings

BOUND = STOP_WAIT + 6
"""Seconds a write waits for the lock: longer than the stop waits for the delivery."""


def delivery_threads(besides: frozenset[threading.Thread] = frozenset()) -> list[threading.Thread]:
    """The delivery's threads alive now, but ``besides`` (another test's, still waiting out a lock of its own)."""
    return [t for t in threading.enumerate() if t.name in ("webhooks", "webhook-sender") and t not in besides]


def test_a_stop_leaves_the_store_to_a_delivery_waiting_for_the_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", str(int(BOUND)))
    store = tmp_path / "ledger.db"
    Ledger.open(f"sqlite:///{store}").close()
    server = Server(ServerSettings(f"sqlite:///{store}", tmp_path / "views.duckdb"))
    others = frozenset(delivery_threads())
    with caplog.at_level(logging.INFO), write_lock_held(store):
        server.start()
        time.sleep(1.0)  # the delivery's first writes (its tables, its first clean-up) now wait for the lock
        assert delivery_threads(others)
        started = time.monotonic()
        server.close()
        took = time.monotonic() - started
        assert took < STOP_WAIT + 2, f"the stop took {took:.1f} s"
        assert delivery_threads(others)  # still waiting: the store must still be open for them
    for thread in delivery_threads(others):  # the lock went: their writes are answered, and they end
        thread.join(timeout=15)
    assert not delivery_threads(others)
    failures = [r for r in caplog.records if r.exc_info]
    assert not failures, [r.getMessage() for r in failures]
    assert "left open to the process's end" in caplog.text
    server.ledger.store.max_notification_id()  # still open (closed, it raised)
    server.ledger.close()
