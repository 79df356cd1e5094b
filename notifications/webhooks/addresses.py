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

from notifications import lookup

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


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""The well-known NAT64 prefix: its last 32 bits are the IPv4 address reached (RFC 6052)."""
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
"""The local-use NAT64 prefix (RFC 8215): translated inside a network, never public."""


def non_public(address: str) -> bool:
    """Whether an address is not a public one, an IPv4 address wrapped in IPv6 (mapped, NAT64, 6to4) judged as
    the IPv4 address it reaches (``64:ff9b::7f00:1`` is 127.0.0.1, and ``is_global`` calls it public)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return True
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    return not ip.is_global or ip.is_multicast


def shown(url: str) -> str:
    """The URL as listed and logged: scheme, host and port only. A path can be a bearer secret (a Slack webhook's
    is its key), so it is shown as ``…``."""
    parts = urlsplit(url)
    rest = "/…" if parts.path not in ("", "/") or parts.query else "/"
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{rest}"


def resolve(url: str, within: float = 10.0) -> Target:
    """The URL's parts and an address to connect to; ``RefusedUrl`` naming why it may not be used,
    ``lookup.LookupTimeout`` when its name does not resolve within ``within`` seconds."""
    scheme, host, port, path = _split(url)
    try:
        found = lookup.addresses(host, port, within)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedUrl(f"webhook URL {url!r}: host {host!r} does not resolve ({error})") from None
    addresses = [str(info[4][0]) for info in found]
    if not private_allowed():
        blocked = [a for a in addresses if non_public(a)]
        if blocked:
            raise RefusedUrl(f"webhook URL {url!r}: {host!r} resolves to a loopback or private address "
                             f"({blocked[0]}); set {ALLOW_PRIVATE}=1 to allow it")
    return Target(scheme, host, port, path, addresses[0])
