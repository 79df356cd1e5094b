"""One POST to a webhook endpoint: to the address checked (``addresses.resolve``), redirects not followed, at most
``timeout`` seconds in all however slowly the receiver answers, and at most ``MAX_ANSWER`` bytes of its answer read
(never kept)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from contextlib import suppress
from typing import NamedTuple

from notifications.lookup import LookupTimeout
from notifications.webhooks.addresses import RefusedUrl, Target, resolve

MAX_ANSWER = 4096


class Answer(NamedTuple):
    status: int | None
    outcome: str  # ok | gone | http_error | timeout | unreachable | refused
    duration: float


class _Pinned(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to a moment later."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, headers: dict[str, str], payload: bytes, timeout: float) -> Answer:
    """The attempt's answer within ``timeout`` seconds in all, the name's resolution included (a claim's length
    is reckoned from it: ``DeliveryPolicy.lease``)."""
    started = time.monotonic()
    try:
        target = resolve(url, timeout)  # a name that hangs: its one shared lookup, never a thread per attempt
    except RefusedUrl:
        return Answer(None, "refused", time.monotonic() - started)
    except LookupTimeout:
        return Answer(None, "timeout", time.monotonic() - started)
    left = timeout - (time.monotonic() - started)
    if left <= 0:
        return Answer(None, "timeout", time.monotonic() - started)
    connection = (_PinnedTLS if target.scheme == "https" else _Pinned)(target, left)
    # a receiver that drips its answer byte by byte would reset the socket's timeout on every byte: this ends it
    watchdog = threading.Timer(left, lambda: _abort(connection))
    watchdog.start()
    try:
        connection.request("POST", target.path, body=payload, headers={**headers, "user-agent": "clientocracy"})
        response = connection.getresponse()
        response.read(MAX_ANSWER)
        status = response.status
    except TimeoutError:
        return Answer(None, "timeout", time.monotonic() - started)
    except (OSError, http.client.HTTPException):
        elapsed = time.monotonic() - started
        return Answer(None, "timeout" if elapsed >= timeout else "unreachable", elapsed)
    finally:
        watchdog.cancel()
        connection.close()
    outcome = "ok" if 200 <= status < 300 else "gone" if status == 410 else "http_error"
    return Answer(status, outcome, time.monotonic() - started)


def _abort(connection: http.client.HTTPConnection) -> None:
    with suppress(OSError):
        if connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)
