"""Noting that a token was used: at most one write a minute per token in each server process.

A busy API token authenticates many times a second; writing each use would cost a write per request.
Each process remembers when it last wrote a token's use and writes again only a minute later, so
"last used" is true to within a minute (docs/brief.md §8's ``/people``). A failed write never fails
the request it came with: it is logged and tried again on the token's next use.

Nor does it hold the request up: the write waits at most a fifth of a second for a lock
(``stores.token_uses.WAIT``). When another process holds the store's write lock (SQLite: a shell's open
transaction, a long import), the use is skipped for this interval, in one line of the log: it is bookkeeping,
no part of the history (never an event), and a request waiting out the busy timeout for it (30 s; it was,
with a traceback) would be worse than a "last used" up to a minute older. Trying again on the next request
would cost each request the wait while the lock is held, so the next write is the next interval's.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.token_uses import TokenUseTable, token_uses_in

log = logging.getLogger(__name__)
INTERVAL = 60.0
"""Seconds between two writes of one token's use by one process."""


class TokenUses:
    """One store's token uses as this process sees them: the table, and when each token was last written."""

    def __init__(self, table: TokenUseTable, interval: float = INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.table = table
        self.interval = interval
        self.clock = clock
        self.written: dict[str, float] = {}  # token id -> ``clock()`` of its last write here
        self.lock = threading.Lock()

    def due(self, token_id: str) -> bool:
        """Whether a use of ``token_id`` now would be written (cheap: no store access)."""
        last = self.written.get(token_id)
        return last is None or self.clock() - last >= self.interval

    def note(self, token_id: str, at: datetime | None = None) -> bool:
        """Record a use of ``token_id`` at ``at`` (now) unless this process did in the interval; whether it wrote."""
        with self.lock:
            if not self.due(token_id):
                return False
            if len(self.written) > 100_000:
                self.written.clear()
            self.written[token_id] = self.clock()
        try:
            self.table.mark_used(token_id, (at or datetime.now(UTC)).timestamp())
        except LockWaitTimeout as error:  # the store is busy: skipped, the next interval writes (see above)
            log.warning("use of token %s not recorded this minute: %s", token_id, error)
            return False
        except Exception:
            log.warning("could not record a use of token %s", token_id, exc_info=True)
            with self.lock:
                self.written.pop(token_id, None)
            return False
        return True

    def last_used(self, token_ids: Sequence[str]) -> dict[str, datetime]:
        """When each of ``token_ids`` was last used (aware UTC); a token never used is absent."""
        found = self.table.last_used(list(token_ids))
        return {key: datetime.fromtimestamp(at, UTC) for key, at in found.items()}


_uses: weakref.WeakKeyDictionary[Any, TokenUses] = weakref.WeakKeyDictionary()
_uses_lock = threading.Lock()


def token_uses(store: Any) -> TokenUses:
    """The token uses of ``store`` in this process (one throttle per store)."""
    with _uses_lock:
        found = _uses.get(store)
        if found is None:
            found = _uses[store] = TokenUses(token_uses_in(store))
        return found


def with_last_used(listing: dict[str, Any], store: Any) -> dict[str, Any]:
    """A token listing (``projections.token_list``) with each item's ``last_used`` (ISO 8601, None when never)."""
    found = token_uses(store).last_used([item["token_id"] for item in listing["items"]])
    for item in listing["items"]:
        at = found.get(item["token_id"])
        item["last_used"] = at.isoformat() if at is not None else None
    return listing
