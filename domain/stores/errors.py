"""Errors about where the data lives (a store URL, a views file), told to the user in one line.

The CLI turns every ``SetupError`` into its message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

from urllib.parse import urlsplit


class SetupError(Exception):
    """A store or views location that cannot be used as given; the message names it and why."""


class StoreError(SetupError):
    """The store URL is malformed, unreachable or unusable."""


class StoreMissing(StoreError):
    """A reading command was pointed at a store that does not exist (readers never create one)."""


def redacted(url: str) -> str:
    """The URL as shown in messages: a password never appears."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
