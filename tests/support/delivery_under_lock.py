"""The delivery loop run while another session holds what its claim needs, then after: what the SQLite and the
PostgreSQL lock-wait tests of webhook delivery share."""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager
from typing import Any

from domain.service.stopping import Stop
from domain.stores.port import LedgerStore
from notifications.webhooks.policy import DeliveryPolicy
from notifications.webhooks.running import DeliveryLoop


def delivered_once_released(store: LedgerStore, got: Any, lock: AbstractContextManager[Any], waited: float) -> None:
    """Run the loop under ``lock`` long enough for its claim of the one due delivery to wait ``waited`` seconds out:
    nothing reaches ``got`` (a ``webhook_receiver``) meanwhile, and the delivery does once the lock is released."""
    loop = DeliveryLoop(store, lambda now: [], lambda: False, policy=DeliveryPolicy(timeout=0.5, backoff=0.1))
    stop = Stop()
    with lock:
        running = threading.Thread(target=loop.run, args=(stop,), daemon=True)
        running.start()
        time.sleep(waited + 1.5)  # the claim of the due delivery waits the lock out
        assert got.received == []
    try:
        assert len(got.wait_for(1, timeout=waited + 10)) == 1, "not delivered after the lock's release"
    finally:
        stop.set()
        running.join(timeout=10)
