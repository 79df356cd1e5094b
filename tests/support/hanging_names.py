"""A name whose resolver stops answering: ``socket.getaddrinfo`` for ``NAME`` answers 127.0.0.1 until ``hang()``,
then blocks until the test ends (as a resolver that never answers does), every other name resolving as usual.
No real resolver can be made to hang on loopback, so only the lookup is stood in for; the connections are real."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

NAME = "hangs.example"


@dataclass
class HangingName:
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    blocked: int = 0
    """Lookups of ``NAME`` that hung (each held a thread)."""

    def hang(self) -> None:
        self.hanging.set()


@contextmanager
def hanging_name(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingName]:
    state = HangingName()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        if state.hanging.is_set():
            state.blocked += 1
            state.release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "the resolver gave up")
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        yield state
    finally:
        state.release.set()
