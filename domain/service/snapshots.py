"""Snapshots of long-lived aggregates, so loading one costs the same whatever its history's length.

A team's membership over years or a promise's long negotiation grows without bound; every command on it
loads it. The library's snapshots (its snapshot table, beside the events) cut a load to the latest snapshot
plus at most ``INTERVAL`` events. They are a cache, never the record:
- they live in the library's own snapshot table, outside the event log and its hash chain, so ``verify``
  and the views never see them, and deleting them all only makes loads replay again;
- they hold the aggregate as its events build it, and our aggregates keep personal text sealed (as the events
  do: ``Ledger.state`` opens it on a copy of its own), so forgetting a subject (destroying its key) leaves a
  snapshot holding only ciphertext nobody can open;
- each records a fingerprint of the code of its aggregate's module and ``domain.base``: after any change to
  that code, an older snapshot is passed over (a replay from the events, then a new snapshot at the next
  interval), so an aggregate that gains an attribute never loads from a snapshot without it.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from hashlib import sha256
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import (
    EventStore,
    InfrastructureFactory,
    Mapper,
    PersistenceError,
    Transcoding,
)
from eventsourcing.utils import resolve_topic

from domain.stores.errors import StoreError

INTERVAL = 100
"""A snapshot at every hundredth version: a load replays at most this many events after it."""
CODE = "_code"


@cache
def code_fingerprint(module: str) -> str:
    """A digest of the source of an aggregate's module and of ``domain.base`` (what builds its state)."""
    modules = {sys.modules[module], sys.modules["domain.base"]}
    text = "".join(sorted(inspect.getsource(module) for module in modules))
    return sha256(text.encode()).hexdigest()[:16]


class SetAsList(Transcoding):
    """An aggregate's sets (a team's leads, a client's representatives) in a snapshot: sorted, as a list."""

    type = set
    name = "set"

    def encode(self, obj: set[Any]) -> list[Any]:
        return sorted(obj)

    def decode(self, data: list[Any]) -> set[Any]:
        return set(data)


class LedgerSnapshot(Snapshot):
    """The library's snapshot, marked with the code that took it (see the module's docstring)."""

    @classmethod
    def take(cls, aggregate: Any) -> LedgerSnapshot:
        snapshot = super().take(aggregate)
        snapshot.state[CODE] = code_fingerprint(type(aggregate).__module__)
        return snapshot

    def is_current(self) -> bool:
        return bool(self.state.get(CODE) == code_fingerprint(resolve_topic(self.topic).__module__))

    def mutate(self, _: None) -> Any:
        state = dict(self.state)
        state.pop(CODE, None)
        return Snapshot(originator_id=self.originator_id, originator_version=self.originator_version,
                        timestamp=self.timestamp, topic=self.topic, state=state).mutate(None)


class SnapshotStore(EventStore[UUID]):
    """The library's snapshot store that passes over stale snapshots and a store without the snapshot table
    (a reader of a store that no writer has opened since snapshots came: it has none to read)."""

    def get(self, originator_id: UUID, gt: int | None = None, lte: int | None = None, desc: bool = False,
            limit: int | None = None) -> Iterator[Any]:
        try:
            found = list(super().get(originator_id, gt=gt, lte=lte, desc=desc, limit=limit))
        except PersistenceError:
            return iter(())
        return iter([s for s in found if isinstance(s, LedgerSnapshot) and s.is_current()])


ENSURE_TABLE = "LEDGER_ENSURE_SNAPSHOTS"
"""Set by a writer's environment for a store that existed already (``stores.url``): its table is created if
missing (the library creates tables only on a store it creates)."""


def snapshot_store(factory: InfrastructureFactory, mapper: Mapper[UUID]) -> SnapshotStore:
    """The snapshot store of the ledger's store (its table is created by writers, as the events' are)."""
    recorder = factory.aggregate_recorder(purpose="snapshots")
    if factory.env.get(ENSURE_TABLE):
        with contextlib.suppress(PersistenceError):  # a concurrent writer creating it: one of them does
            recorder.create_table()  # type: ignore[attr-defined]
    return SnapshotStore(mapper=mapper, recorder=recorder)


def due(events: Sequence[Any]) -> list[tuple[UUID, int]]:
    """(aggregate id, version) of each new event at a multiple of ``INTERVAL``: where snapshots are taken."""
    return [(e.originator_id, e.originator_version) for e in events if e.originator_version % INTERVAL == 0]


def take_snapshots(store: EventStore[UUID] | None, repository: Any, events: Sequence[Any]) -> None:
    """Snapshot the aggregates these recorded events brought to a multiple of ``INTERVAL`` (each as stored at
    that version: loaded again, never the batch's working copy). A snapshot is a cache: failing to write one
    (a concurrent writer took it, the store has no table for it, another process held the write lock past its
    bound) never fails the recorded batch: it is committed, and an error would say otherwise."""
    if store is None:
        return
    for aggregate_id, version in due(events):
        try:
            store.put([LedgerSnapshot.take(repository.get(aggregate_id, version=version))])
        except (PersistenceError, StoreError):  # taken already by a concurrent writer; no table; the store's
            continue  # write lock held past its bound: the events are recorded all the same
