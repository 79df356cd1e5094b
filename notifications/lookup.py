"""Name resolution with a deadline, for the webhooks and for SMTP.

``getaddrinfo`` cannot be interrupted, and a socket's timeout does not cover it: a name whose resolver never
answers would hang the caller, and a thread per attempt given up on would pile up. So a lookup runs on a thread of
its own, the caller waits at most its deadline, and a name (with its port) has at most one lookup in flight at a
time, shared by every caller that asks meanwhile: a name that hangs costs one thread however often it is tried,
and never holds up another name. Each use has its own allowance of names looked up at once (``MAX_HANGING``):
past it, a new name of that use fails at once, so endpoints' names that hang never stop the SMTP server's being
looked up. An address written as such (``127.0.0.1``, ``[::1]``) needs no resolver and no thread.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

MAX_HANGING = {"webhook": 64, "smtp": 4}
"""Names looked up at once, per use. The webhooks' is above their workers (32, ``Deliverer``): every worker can
wait on a name of its own, with room for lookups still hanging after their attempts gave up; SMTP has one server."""

AddressInfo = list[tuple[Any, ...]]


class LookupTimeout(TimeoutError):
    """The name did not resolve within the deadline (its lookup may still be running, shared)."""


_lock = threading.Lock()
_pending: dict[tuple[str, int], Future[AddressInfo]] = {}
_use: dict[tuple[str, int], str] = {}
"""The use that started each pending lookup (the allowance it counts against)."""


def addresses(host: str, port: int, seconds: float, use: str = "webhook") -> AddressInfo:
    """``socket.getaddrinfo(host, port, type=SOCK_STREAM)`` within ``seconds``; ``LookupTimeout`` past it,
    ``socket.gaierror`` (or ``UnicodeError``) when the name does not resolve. ``use``: a key of ``MAX_HANGING``."""
    if _literal(host):
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    key = (host, port)
    with _lock:
        future = _pending.get(key)
        if future is None:
            running = sum(1 for started in _use.values() if started == use)
            if running >= MAX_HANGING[use]:
                raise LookupTimeout(f"{running} {use} name lookups are still running; {host!r} is not looked up")
            future = _pending[key] = Future()
            _use[key] = use
            threading.Thread(target=_look_up, args=(key, future), name=f"lookup {host}", daemon=True).start()
    try:
        return future.result(timeout=max(seconds, 0.0))
    except FutureTimeout:
        raise LookupTimeout(f"{host!r} did not resolve within {seconds:g} s") from None


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def running() -> int:
    """How many lookups are in flight (each on a thread of its own)."""
    with _lock:
        return len(_pending)


def _look_up(key: tuple[str, int], future: Future[AddressInfo]) -> None:
    try:
        future.set_result(socket.getaddrinfo(key[0], key[1], type=socket.SOCK_STREAM))
    except Exception as error:  # handed to every waiter
        future.set_exception(error)
    finally:
        with _lock:
            _pending.pop(key, None)
            _use.pop(key, None)
