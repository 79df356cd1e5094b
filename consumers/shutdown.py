"""Graceful stop: SIGTERM/SIGINT ask the ingest loop to finish its current batch and exit cleanly.

The loop checks the event between batches, so a batch is never cut in half by an orderly stop;
a second signal while stopping means "now" and interrupts at once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first SIGTERM/SIGINT; the previous handlers come back on exit."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt(f"signal {signum} while stopping")
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
