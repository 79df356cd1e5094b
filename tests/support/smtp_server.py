"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can refuse on demand, optionally
offering (and requiring) STARTTLS; and a server that accepts connections and never says a word (an SMTP server
hung up)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: bool = False
    """While True, every message is answered 451 (try again later)."""
    encrypted: list[bool] = field(default_factory=list)
    """Per message received, whether it came over TLS."""

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(tls: ssl.SSLContext | None = None) -> Iterator[Mailbox]:
    """With ``tls``, the server offers STARTTLS and refuses mail before it."""
    box = Mailbox(_free_port())
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
            if box.refuse:
                return "451 4.3.0 try again later"
            with lock:
                message = message_from_bytes(envelope.content, policy=policy.default)
                box.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
                box.encrypted.append(session.ssl is not None)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port, tls_context=tls,
                            require_starttls=tls is not None)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[str]:
    """HOST:PORT of a server that accepts and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
