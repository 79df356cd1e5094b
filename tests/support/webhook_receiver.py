"""A real webhook receiver on loopback: every request is verified with the reference ``standardwebhooks`` library
(never with the ledger's own signing code) and kept with its arrival time; each receiver answers by a script."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    at: float
    webhook_id: str
    body: Any  # the verified, parsed body (None when verification failed)
    verified: bool


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    secret: str | None = None
    release: threading.Event = field(default_factory=threading.Event)
    """Set when the receiver closes: a hanging answer stops hanging."""

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.received]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


Answer = Callable[[Receiver, int], int | None]
"""(receiver, 0-based request number) -> the status to answer, or None to never answer."""


def always(status: int | None) -> Answer:
    return lambda receiver, n: status


def first_then(first: int | None, then: int = 200, times: int = 1) -> Answer:
    return lambda receiver, n: first if n < times else then


@contextmanager
def receiver(answer: Answer = always(200)) -> Iterator[Receiver]:
    state: dict[str, Any] = {}
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("content-length") or 0))
            got: Receiver = state["receiver"]
            with lock:
                number = count[0]
                count[0] += 1
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body, verified = Webhook(got.secret or "").verify(data, headers), True
            except (WebhookVerificationError, Exception):
                body, verified = None, False
            got.received.append(Received(time.time(), headers.get("webhook-id", ""), body, verified))
            status = answer(got, number)
            if status is None:
                got.release.wait(60)
                return
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    got = Receiver(f"http://127.0.0.1:{server.server_port}/hook")
    state["receiver"] = got
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        got.release.set()
        server.shutdown()
        server.server_close()


def parsed(received: Received) -> dict[str, Any]:
    assert received.verified, "a delivery failed standardwebhooks verification"
    return dict(received.body) if isinstance(received.body, dict) else json.loads(received.body)
