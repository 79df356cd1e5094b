"""The one retry policy for a transaction that lost a race with a concurrent writer.

Two races are worth another attempt: a write conflict (another writer committed first; the whole
transaction was rolled back) and a command of the operator's import dated "now" that a concurrent
writer's later "now" overtook on the same aggregate (a person's "now" moves to the aggregate's latest
time instead: ``domain.service.business_time_policy``). Both re-read and re-decide everything. One
attempt budget covers both, with exponential backoff and full jitter so contenders spread out instead
of colliding again; every entrypoint (operator import, API and pages, consumers) writes through it.

A conflict is recognised by the database's own error code (PostgreSQL SQLSTATE, SQLite's
extended error name), never by message text: a lost connection or a missing table is not a
conflict and must surface as itself.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from eventsourcing.persistence import IntegrityError, OperationalError

T = TypeVar("T")
CONFLICT_SQLSTATES = frozenset({
    "23505",  # unique_violation: a receipt or tracking row another writer recorded first
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
})
"""Not ``55P03`` (lock_not_available): a lock wait that ran out its whole bound (``stores.lock_wait``) is another
session holding the lock, not a lost race; it surfaces as itself instead of waiting again and again."""
CONFLICT_SQLITE_NAMES = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CONSTRAINT")


class ClockRace(Exception):
    """A command dated "now" lost to a concurrent writer's later "now": read the clock again."""


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


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; before try n+1 a random pause of up to ``first_delay * 2**n`` seconds
    (at most ``max_delay``). Many people acting on one promise at once win within it."""

    attempts: int = 16
    first_delay: float = 0.005
    max_delay: float = 0.2

    def pause(self, number: int) -> float:
        return random.uniform(0, min(self.max_delay, self.first_delay * 2**number))

    def run(self, attempt: Callable[[bool], T]) -> T:
        """``attempt(last)`` (which re-reads what it decides on) until it commits or fails for real.

        ``last`` is True on the final try: the attempt must then decide a clock race instead of
        raising ``ClockRace``. An exhausted budget re-raises the last write conflict itself."""
        for number in range(self.attempts):
            last = number == self.attempts - 1
            try:
                return attempt(last)
            except (IntegrityError, OperationalError) as error:
                if not is_write_conflict(error) or last:
                    raise
            except ClockRace:
                if last:
                    raise
            time.sleep(self.pause(number))
        raise AssertionError("unreachable")


RETRY = RetryPolicy()
"""The policy every write of the ledger runs under."""
