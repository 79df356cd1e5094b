"""What both recorders share, and how a store is opened.

The recorders (``stores.sqlite``, ``stores.postgres``) are the library's own process recorders plus
two extras, written inside the same transaction as the events they belong to:
- the hash chain (see ``tamper_evidence``) - after the insert, under the store's write lock,
  so concurrent writers still produce one unbroken chain in notification order;
- receipts - one row per idempotency key (an import line ``id``, a ``feedback_id``); a key
  already present makes the whole transaction fail, so nothing is recorded twice.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from eventsourcing.persistence import InfrastructureFactory, PersistenceError, StoredEvent
from eventsourcing.utils import Environment

from domain.stores.errors import StoreError
from domain.stores.port import LedgerStore
from domain.stores.tamper_evidence import GENESIS_HEAD, ChainHead, NewEvent
from domain.stores.url import redacted, store_environment

T = TypeVar("T")
LEDGER_NAME = "Ledger"
"""The application's name: the library derives the PostgreSQL table names from it."""
OPEN_ATTEMPTS = 5
PAGE = 5000
def new_events(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[NewEvent]:
    return [(i, s.originator_id, s.originator_version, s.topic, s.state)
            for i, s in zip(ids, stored_events, strict=True)]


def chain_head(row: Sequence[Any] | None) -> ChainHead | None:
    """The stored head row, or None when it is missing (or too damaged to read)."""
    try:
        return None if row is None else ChainHead(int(row[0]), int(row[1]), bytes(row[2]))
    except (TypeError, ValueError):
        return ChainHead(-1, -1, b"")


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
    environment = Environment(LEDGER_NAME, {**os.environ, **store_environment(store_url, create=create)})
    factory = opening(lambda: InfrastructureFactory.construct(environment), store_url)
    try:
        yield ledger_store(opening(factory.process_recorder, store_url))
    finally:
        factory.close()


def head_to_extend(row: Sequence[Any] | None) -> ChainHead:
    """The head row a new batch links to; a damaged one stops the write with a clear error."""
    if row is None:
        return GENESIS_HEAD
    head = chain_head(row)
    if head is None or head.position < 0 or head.events < 0 or len(head.link) != len(GENESIS_HEAD.link):
        raise StoreError("the store's hash-chain head row is damaged, so nothing can be appended safely; "
                         "run clientocracy verify and restore the store from a backup")
    return head
