"""A PostgreSQL "server" that takes the connection and never answers (a hung server, a host that stopped
mid-handshake): what a connection without a connect timeout would wait on forever."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


def gives_up_on_a_silent_server(attempt: Callable[[int], object]) -> BaseException:
    """Run ``attempt(port)`` against a server that takes the connection and never answers; what it raised,
    failing the test if it was still waiting after 30 s (the caller shortens the connect timeout)."""
    silent = socket.create_server(("127.0.0.1", 0))  # the kernel completes the handshake; nobody ever answers
    failed: list[BaseException] = []

    def run() -> None:
        try:
            attempt(silent.getsockname()[1])
        except BaseException as error:
            failed.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    hung = thread.is_alive()
    silent.close()  # resets the connection: an attempt still waiting ends now
    thread.join(10)
    assert not hung, "still waiting for the silent server after 30 s"
    assert len(failed) == 1
    return failed[0]
