"""How long our PostgreSQL sessions wait for a lock another session holds, and the error when they give up.

Without a bound, a writer queued behind an administrator's open transaction (or a stuck process) waits
forever and says nothing. Every connection of ours starts with ``lock_timeout`` set
(``CLIENTOCRACY_PG_LOCK_TIMEOUT`` seconds; ``pg_connect`` passes it in libpq's ``options``), and the
library's own ``LOCK TABLE`` on the events table uses the same value. When it expires PostgreSQL cancels
the statement and rolls the transaction back whole, so nothing is half-written; we then raise
``LockWaitTimeout`` naming the table, never retry: the holder is not a racing writer that will be done in
a millisecond, and sixteen more waits would only turn one bound into many.

There is deliberately no ``statement_timeout``: a long statement that is working (``VACUUM FULL`` of a
big key table, a page of a rebuild, verify's reads) must not be cancelled; waiting on a lock is what
hangs, and a server that stops answering is the keepalives' case (``pg_connect``). A session of ours
that crashes inside a transaction is ended by the server after the library's
``idle_in_transaction_session_timeout`` (5 s; ``POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT``), so it
never keeps its locks.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.utils import retry

from domain.stores.errors import StoreError

F = TypeVar("F", bound=Callable[..., Any])

LOCK_TIMEOUT_ENV = "CLIENTOCRACY_PG_LOCK_TIMEOUT"
LOCK_TIMEOUT = 30
"""Seconds a statement of ours waits for a lock (as long as the SQLite store's busy timeout); 0: no bound."""
LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for a lock wait that ran out (we never use ``NOWAIT``, the other source)."""


class LockWaitTimeout(StoreError):
    """Another session held a lock we needed for longer than the store's bound: ``CLIENTOCRACY_PG_LOCK_TIMEOUT``,
    or SQLite's busy timeout (``stores.sqlite_busy``). ``waited``: that bound in seconds, which is when to try
    again (None when unknown, e.g. after pickling: the PostgreSQL bound)."""

    def __init__(self, message: str, *, waited: int | None = None) -> None:
        super().__init__(message)
        self.waited = lock_timeout() if waited is None else waited


def lock_timeout() -> int:
    """Whole seconds from the environment (read at each call, so a test can shorten it)."""
    value = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not value:
        return LOCK_TIMEOUT
    if not value.isdigit():
        raise StoreError(f"{LOCK_TIMEOUT_ENV}={value!r}: whole seconds expected (0: wait without a bound)")
    return int(value)


def waited_for_lock(error: BaseException) -> bool:
    """Whether ``error`` (or what it was raised from) is PostgreSQL cancelling a lock wait."""
    current: BaseException | None = error
    seen: list[BaseException] = []
    while current is not None and current not in seen:
        if getattr(current, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return True
        seen.append(current)
        current = current.__cause__ or current.__context__
    return False


def lock_wait_message(what: str) -> str:
    return (f"PostgreSQL: waited {lock_timeout()} s for a lock on {what} that another session holds (an open "
            f"transaction, a stuck process: see pg_stat_activity); end that session, or wait longer with "
            f"{LOCK_TIMEOUT_ENV}=SECONDS")


@contextmanager
def naming_the_lock(what: str, *, writing: bool = True, within: float | None = None) -> Iterator[None]:
    """Turn a lock wait that ran out inside the block into ``LockWaitTimeout`` naming ``what``; the
    transaction it cancelled was rolled back, which the message of a write says. ``within``: the block's own
    shorter bound in seconds (bookkeeping a request waits for), else the store's."""
    try:
        yield
    except Exception as error:
        if not waited_for_lock(error):
            raise
        said = (lock_wait_message(what) if within is None else
                f"PostgreSQL: a lock on {what} was not free within {within:g} s (another session holds it)")
        raise LockWaitTimeout(said + ("; nothing was written" if writing else ""),
                              waited=lock_timeout() if within is None else max(1, round(within))) from error


def waiting_once(library_method: F, what: Callable[[Any], str], *, writing: bool) -> F:
    """A recorder method of the library (retried ten times on ``InterfaceError``/``OperationalError``) whose lock
    wait that ran out is ``LockWaitTimeout`` at once: the library's retry, re-applied around the conversion, still
    reconnects after a lost connection, but would otherwise wait out the bound ten times (a ``show`` behind an
    administrator's ``ALTER TABLE``). ``what(recorder)`` names the table in the message."""
    unretried = library_method.__wrapped__  # type: ignore[attr-defined]  # the library's retry keeps it

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # the library's, for a lost connection
    @functools.wraps(unretried)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with naming_the_lock(what(self), writing=writing):
            return unretried(self, *args, **kwargs)

    return cast(F, method)
