"""Aggregates a batch decided on without changing them, checked in the transaction that records it.

An observation is an aggregate of its own, judged by its experiment (running, its arms), which it does not
change: a concurrent conclusion would not clash with it on a version number as it did when observations
were the experiment's own events. So the batch names the experiment at the version it read, and each store
compares it with the version stored, after taking its write lock: a difference fails the whole transaction
as a write conflict (``domain.service.retry`` then re-reads and re-decides, and the observation is refused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

Guard = tuple[UUID, int]
"""(aggregate id, the version the batch read)."""


def guards_of(kwargs: Mapping[str, Any]) -> Sequence[Guard]:
    return tuple(kwargs.get("guards") or ())


def refuse_stale(guards: Sequence[Guard], stored: Mapping[UUID, int]) -> None:
    """Fail the transaction when an aggregate's stored version is no longer the one the batch read."""
    stale = [aggregate_id for aggregate_id, version in guards if stored.get(aggregate_id, 0) != version]
    if stale:
        raise IntegrityError(f"changed by a concurrent writer since this batch read it: {sorted(map(str, stale))}")
