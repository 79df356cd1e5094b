"""One retry helper for transactions that lost a race with a concurrent writer.

A conflict is recognised by the database's own error code (PostgreSQL SQLSTATE, SQLite's
extended error name), never by message text: a lost connection or a missing table is not a
conflict and must surface as itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError, OperationalError

T = TypeVar("T")
MAX_ATTEMPTS = 5
CONFLICT_SQLSTATES = frozenset({
    "23505",  # unique_violation: a receipt or tracking row another writer recorded first
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available
})
CONFLICT_SQLITE_NAMES = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CONSTRAINT")


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def is_write_conflict(error: Exception) -> bool:
    """A concurrent writer got there first, and the transaction was rolled back whole.

    On PostgreSQL a clash on a receipt inside the library's pipelined insert surfaces as an
    aborted pipeline (psycopg's ``PipelineAborted``, which carries no SQLSTATE of its own).
    """
    for cause in _causes(error):
        if getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES:
            return True
        if type(cause).__name__ == "PipelineAborted" and type(cause).__module__.startswith("psycopg"):
            return True
        name = getattr(cause, "sqlite_errorname", None)
        if isinstance(name, str) and name.startswith(CONFLICT_SQLITE_NAMES):
            return True
    # The library raises a bare IntegrityError (no database cause) when a tracking row clashes.
    return isinstance(error, IntegrityError) and error.__cause__ is None


def retry_on_conflict(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (which re-reads what it decides on) until it commits or fails for real."""
    for number in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except (IntegrityError, OperationalError) as error:
            if not is_write_conflict(error) or number == MAX_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * number)
    raise AssertionError("unreachable")
