"""Running the app under uvicorn on the one stop mechanism (``domain.service.stopping``).

The first SIGINT/SIGTERM sets the server's ``Stop``: its live streams end at once (``web.streams``)
and uvicorn finishes the requests in flight, then the lifespan closes the views and the store; a
request still running after ``STOP_GRACE_SECONDS`` is cancelled, and a second signal forces the end.
The process exits 0 (uvicorn itself would raise the signal again once done).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from domain.service.stopping import Stop, exit_stopped, stop_on_signals

STOP_GRACE_SECONDS = 5


class StoppingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, stop: Stop) -> None:
        super().__init__(config)
        self.stop = stop
        stop.listeners.append(self._finish)

    def _finish(self) -> None:
        self.should_exit = True

    def _force(self) -> None:
        self.force_exit = True

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with stop_on_signals(self.stop, again=self._force):
            yield


def serve_until_stopped(config: uvicorn.Config, stop: Stop) -> None:
    config.timeout_graceful_shutdown = config.timeout_graceful_shutdown or STOP_GRACE_SECONDS
    StoppingServer(config, stop).run()
    if stop.is_set():
        exit_stopped()
