"""docs/brief.md §10 "Keys": the keys each kind holds, by skeleton, so a new look-alike is refused by name.

The index is read off the store's creation events of a kind (keys stored before the rule included) on the
first new key of that kind a process meets, then from where it stopped; one per store, shared by the
process's threads. A new key also claims its skeletons with receipts (``skeleton_receipts``) written in
its creation's transaction: two look-alikes created at once by two writers clash on it, and the one that
loses, decided again, meets the other's key here.
"""

from __future__ import annotations

import threading
from typing import Any
from weakref import WeakKeyDictionary

from eventsourcing.domain import AggregateCreated
from eventsourcing.utils import get_topic

from domain.business_keys import skeletons

PAGE = 1000


def skeleton_receipts(kind: str, key: str) -> list[str]:
    """The receipts a new key of ``kind`` writes: its kind's skeletons, each held once."""
    return [f"key-skeleton:{kind}:{form}" for form in sorted(skeletons(key))]


def _created_topics(cls: type) -> list[str]:
    """The topics of the events that may create a ``cls``: its creation classes (``Team.Formed``, and the
    ``Created`` class every aggregate class gets)."""
    return [get_topic(found) for name, found in vars(cls).items()
            if isinstance(found, type) and issubclass(found, AggregateCreated)
            and found.__qualname__ == f"{cls.__qualname__}.{name}"]


class KnownKeys:
    """Skeleton -> the first key holding it, per kind, caught up with the store on each question."""

    def __init__(self, recorder: Any, mapper: Any) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.lock = threading.Lock()
        self.by_kind: dict[str, dict[str, str]] = {}
        self.position: dict[str, int] = {}

    def holder(self, cls: type, key: str) -> str | None:
        """A stored key of ``cls``'s kind sharing a skeleton with ``key`` (None: no look-alike is stored)."""
        kind = cls.KIND  # type: ignore[attr-defined]
        with self.lock:
            known = self.by_kind.setdefault(kind, {})
            topics = _created_topics(cls)
            while True:
                page = self.recorder.select_notifications(self.position.get(kind, 0) + 1, PAGE, topics=topics)
                for notification in page:
                    stored = self.mapper.to_domain_event(notification).key
                    for form in skeletons(stored):
                        known.setdefault(form, stored)
                    self.position[kind] = notification.id
                if len(page) < PAGE:
                    break
            return next((known[form] for form in sorted(skeletons(key)) if form in known), None)


_INDEXES: WeakKeyDictionary[Any, KnownKeys] = WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def known_keys(repository: Any) -> KnownKeys | None:
    """The index of the store behind ``repository`` (None for a repository with no event store)."""
    event_store = getattr(repository, "event_store", None)
    if event_store is None:
        return None
    with _INDEXES_LOCK:
        index = _INDEXES.get(event_store.recorder)
        if index is None:
            index = _INDEXES[event_store.recorder] = KnownKeys(event_store.recorder, event_store.mapper)
        return index
