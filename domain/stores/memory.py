"""The in-memory store (``memory://``): the library's POPO process recorder plus hash chain, receipts and keys.

A third real adapter beside SQLite and PostgreSQL, for fast tests and throw-away ledgers:
``Ledger.open("memory://")`` (or ``Ledger()``) runs on a new empty store; ``memory://NAME`` names one
store shared by every ledger and reader of this process that opens the same URL. Nothing outlives
the process, and no other process can open it (``page_source`` is None). Receipts, the tracking
position, new keys and the hash chain are checked and written under one lock together with the events, as
the database stores do in one transaction: a receipt or a position already recorded, or a damaged
chain head, fails the whole insert.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError, ProcessRecorder, StoredEvent
from eventsourcing.popo import POPOFactory, POPOProcessRecorder

from domain.stores.chain_rows import head_to_extend, new_events
from domain.stores.guards import guards_of, refuse_stale
from domain.stores.port import LedgerStore, NotificationRow, PageSource, receipt_rows
from domain.stores.subject_keys import MemorySubjectKeys
from domain.stores.tamper_evidence import ChainHead, EventRow, LinkRow, VerifyReport, extend_chain

STORE_NAME = "MEMORY_STORE"
"""The environment variable naming a shared store (empty: a new anonymous store)."""
_named: dict[str, MemoryRecorder] = {}
_named_lock = threading.Lock()


class MemoryRecorder(MemorySubjectKeys, POPOProcessRecorder):
    """The in-memory store, with chain, receipts and the data subjects' keys."""

    def __init__(self) -> None:
        super().__init__()
        self._receipts: dict[str, tuple[str | None, str | None]] = {}  # key -> (sender, digest)
        self._links: dict[int, tuple[bytes, int]] = {}  # position -> (link, previous position)
        self._head: ChainHead | None = None
        self._identity = uuid.uuid4().hex

    # Writing: the library checks, then updates, under its database lock --------------------------

    def destroy_subject_key(self, subject: str) -> bool:
        with self._database_lock:  # never between a write's check of the keys it sealed with and its update
            return super().destroy_subject_key(subject)

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        guards = guards_of(kwargs)
        refuse_stale(guards, {i: max(self._stored_events_index[str(i)], default=0) for i, _ in guards})
        receipts = [key for key, _, _ in receipt_rows(kwargs.get("receipts") or ())]
        clash = self._receipts.keys() & set(receipts)
        if clash or len(set(receipts)) < len(receipts):
            raise IntegrityError(f"receipt already recorded: {sorted(clash) or receipts}")
        if stored_events:
            self._head_row()
        self.refuse_taken_keys(kwargs.get("keys") or ())
        self.refuse_destroyed_keys(kwargs.get("sealed_with") or ())

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = list(super()._update_table(stored_events, **kwargs) or [])
        rows = receipt_rows(kwargs.get("receipts") or ())
        self._receipts.update((key, (sender, digest)) for key, sender, digest in rows)
        self.insert_new_keys(kwargs.get("keys") or ())
        if ids:
            links, self._head = extend_chain(self._head_row(), new_events(ids, stored_events))
            self._links.update((position, (link, previous)) for position, link, previous in links)
        return ids

    def _head_row(self) -> ChainHead:
        head = self._head
        return head_to_extend(None if head is None else (head.position, head.events, head.link))

    # Receipts -------------------------------------------------------------------------------------

    def existing_receipts(self, keys: Sequence[str]) -> set[str]:
        with self._database_lock:
            return self._receipts.keys() & set(keys)

    def receipt_digests(self, keys: Sequence[str]) -> dict[str, str | None]:
        with self._database_lock:
            return {key: self._receipts[key][1] for key in keys if key in self._receipts}

    def count_receipts(self, prefix: str) -> int:
        with self._database_lock:
            return sum(1 for key in self._receipts if key.startswith(prefix))

    # Reading --------------------------------------------------------------------------------------

    def select_notification_rows(self, start: int, limit: int) -> list[NotificationRow]:
        """See ``LedgerSQLiteRecorder.select_notification_rows``."""
        return [(n.id, uuid.UUID(str(n.originator_id)).hex, n.originator_version, n.topic, n.state)
                for n in self.select_notifications(start, limit)]

    def page_source(self) -> PageSource | None:
        """None: no reader process can see this process's memory."""
        return None

    def store_identity(self) -> str:
        return self._identity

    def chain_link(self, position: int) -> bytes | None:
        with self._database_lock:
            stored = self._links.get(position)
            return None if stored is None else stored[0]

    def verify_chain(self) -> VerifyReport:
        """Check the whole log against its chain, in this process (see ``chain_verify``)."""
        from domain.stores import chain_verify

        with self._database_lock:
            highest = max(len(self._stored_events), max(self._links, default=0))
            return chain_verify.verify_segments(None, highest, self._head, local_reader=self._segment)

    def _segment(self, lo: int, hi: int) -> tuple[list[EventRow], list[LinkRow], tuple[int, Any] | None]:
        """The events and links with lo < position <= hi, and the last link at or before lo."""
        events: list[EventRow] = [(position, s.originator_id, s.originator_version, s.topic, s.state)
                                  for position, s in enumerate(self._stored_events[lo:hi], start=lo + 1)]
        links: list[LinkRow] = [(p, *self._links[p]) for p in sorted(p for p in self._links if lo < p <= hi)]
        before = max((p for p in self._links if p <= lo), default=None)
        return events, links, None if before is None else (before, self._links[before][0])


class MemoryFactory(POPOFactory):
    """The library's POPO factory, making our recorder: a new one, or the store named ``MEMORY_STORE``."""

    def process_recorder(self) -> ProcessRecorder:
        name = self.env.get(STORE_NAME) or ""
        if not name:
            return MemoryRecorder()
        with _named_lock:
            return _named.setdefault(name, MemoryRecorder())


def named_store_exists(name: str) -> bool:
    with _named_lock:
        return name in _named


def discard_named_store(name: str) -> None:
    """Let the store named ``name`` go (the next ``memory://NAME`` is a new, empty store)."""
    with _named_lock:
        _named.pop(name, None)


if TYPE_CHECKING:  # the adapter meets the store port (mypy checks it)
    _port: type[LedgerStore] = MemoryRecorder
