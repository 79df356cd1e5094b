"""The chain's stored rows as the recorders write them: new links after an insert, the head row read back.

The recorders (``stores.sqlite``, ``stores.postgres``, ``stores.memory``) extend the hash chain
(``tamper_evidence``) after the insert, under the store's write lock, in the same transaction as
the events, so concurrent writers still produce one unbroken chain in notification order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent

from domain.stores.errors import StoreError
from domain.stores.tamper_evidence import GENESIS_HEAD, ChainHead, NewEvent


def new_events(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[NewEvent]:
    return [(i, s.originator_id, s.originator_version, s.topic, s.state)
            for i, s in zip(ids, stored_events, strict=True)]


def chain_head(row: Sequence[Any] | None) -> ChainHead | None:
    """The stored head row, or None when it is missing (or too damaged to read)."""
    try:
        return None if row is None else ChainHead(int(row[0]), int(row[1]), bytes(row[2]))
    except (TypeError, ValueError):
        return ChainHead(-1, -1, b"")


def head_to_extend(row: Sequence[Any] | None) -> ChainHead:
    """The head row a new batch links to; a damaged one stops the write with a clear error."""
    if row is None:
        return GENESIS_HEAD
    head = chain_head(row)
    if head is None or head.position < 0 or head.events < 0 or len(head.link) != len(GENESIS_HEAD.link):
        raise StoreError("the store's hash-chain head row is damaged, so nothing can be appended safely; "
                         "run clientocracy verify and restore the store from a backup")
    return head
