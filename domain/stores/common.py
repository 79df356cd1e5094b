"""How a store is opened from its URL, as the ledger's store port (``stores.port``)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from eventsourcing.persistence import InfrastructureFactory, PersistenceError
from eventsourcing.utils import Environment

from domain.stores.errors import StoreError, redacted
from domain.stores.port import LEDGER_NAME, LedgerStore
from domain.stores.url import release_unclaimed, store_environment

T = TypeVar("T")
OPEN_ATTEMPTS = 5
def opening(open_store: Callable[[], T], where: str = "") -> T:
    """Open a store, waiting while another process creates its tables (the library's DDL then fails).

    A store that still cannot be opened is a ``StoreError`` naming it (read-only, not a database, ...).
    """
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return open_store()
        except (PersistenceError, OSError, sqlite3.Error) as error:
            if attempt == OPEN_ATTEMPTS - 1 or not isinstance(error, PersistenceError):
                raise StoreError(f"--store {redacted(where) or 'store'}: cannot open it ({error})") from None
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def ledger_store(recorder: object) -> LedgerStore:
    """The recorder as the ledger's store port; a recorder without our extensions (the library's
    own, chosen through its environment variables) is refused here, not at its first receipt."""
    if not isinstance(recorder, LedgerStore):
        raise StoreError(f"{type(recorder).__name__} is not a ledger store (it lacks receipts, the hash chain or "
                         "the key table): open the ledger from a store URL (sqlite:, postgresql:, memory:)")
    return recorder


@contextmanager
def opened_recorder(store_url: str, *, create: bool = True) -> Iterator[LedgerStore]:
    """The store's recorder alone, for readers such as the views' catch-up, which decode rows themselves.

    Opening the whole ``Ledger`` imports every aggregate and command model: a good part of a
    ``show`` command's time, spent on nothing it uses. Readers pass ``create=False``.
    """
    settings = store_environment(store_url, create=create)
    environment = Environment(LEDGER_NAME, {**os.environ, **settings})
    try:
        factory = opening(lambda: InfrastructureFactory.construct(environment), store_url)
    finally:
        release_unclaimed(settings)
    try:
        yield ledger_store(opening(factory.process_recorder, store_url))
    finally:
        factory.close()
