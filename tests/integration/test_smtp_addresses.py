"""An SMTP server's name that gives several addresses: each is tried in turn, as ``smtplib`` itself does, so a
first address nothing answers on (an IPv6 one the host does not serve, a host that is down) does not stop the mail
(a real SMTP server on 127.0.0.1; only the resolver is stood in for, to give two addresses)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import pytest

from notifications.email.smtp import SmtpSettings
from tests.support.smtp_server import smtp_server

NAME = "two-addresses.example"


@contextmanager
def resolving_to(monkeypatch: pytest.MonkeyPatch, *hosts: str) -> Iterator[list[str]]:
    """``NAME`` resolves to ``hosts``' addresses, in that order; every other name as usual."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        return [found for each in hosts for found in real(each, port, *args, **kwargs)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield asked


def message() -> EmailMessage:
    made = EmailMessage()
    made["From"], made["To"], made["Subject"] = "ledger@example.com", "lena@example.com", "hello"
    made.set_content("a signal")
    return made


def test_a_dead_first_address_falls_through_to_the_live_second(monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as box, resolving_to(monkeypatch, "127.0.0.2", "127.0.0.1") as asked:
        with pytest.raises(ConnectionRefusedError):  # nothing listens on the first: it really is dead
            socket.create_connection(("127.0.0.2", box.port), 1.0).close()
        assert SmtpSettings(NAME, box.port, "ledger@example.com", timeout=2.0).send([message()]) == [None]
    assert asked == [NAME] and len(box.received) == 1


def test_when_no_address_answers_the_last_error_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as box, resolving_to(monkeypatch, "127.0.0.2", "127.0.0.3"), \
            pytest.raises(ConnectionRefusedError):
        SmtpSettings(NAME, box.port, "ledger@example.com", timeout=2.0).send([message()])
    assert box.received == []
