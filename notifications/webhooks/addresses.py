"""Where a webhook may point: http(s) only, and, unless ``CLIENTOCRACY_ALLOW_PRIVATE_WEBHOOKS=1``, never a
loopback, private, link-local or otherwise non-public address (a webhook must not become a way to reach
the servers behind the ledger). Checked when an endpoint is added and again before every attempt, on the
address actually connected to, so a name that later resolves elsewhere is caught too."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import NamedTuple
from urllib.parse import urlsplit

ALLOW_PRIVATE = "CLIENTOCRACY_ALLOW_PRIVATE_WEBHOOKS"
MAX_URL = 2000


class RefusedUrl(ValueError):
    """A webhook URL that may not be used, with the reason."""


class Target(NamedTuple):
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address to connect to


def _split(url: str) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL:
        raise RefusedUrl(f"webhook URL longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedUrl(f"webhook URL {url!r} is not a URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedUrl(f"webhook URL {url!r} is not http(s)")
    if not parts.hostname:
        raise RefusedUrl(f"webhook URL {url!r} names no host")
    if parts.username or parts.password:
        raise RefusedUrl(f"webhook URL {url!r} holds a user or password: put a secret in the path instead")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def private_allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE) == "1"


def non_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(url: str) -> Target:
    """The URL's parts and an address to connect to; ``RefusedUrl`` naming why it may not be used."""
    scheme, host, port, path = _split(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedUrl(f"webhook URL {url!r}: host {host!r} does not resolve ({error})") from None
    addresses = [str(info[4][0]) for info in found]
    if not private_allowed():
        blocked = [a for a in addresses if non_public(a)]
        if blocked:
            raise RefusedUrl(f"webhook URL {url!r}: {host!r} resolves to a loopback or private address "
                             f"({blocked[0]}); set {ALLOW_PRIVATE}=1 to allow it")
    return Target(scheme, host, port, path, addresses[0])
