"""The store port: what the ledger, its readers and its consumers need of a store.

Three adapters implement it: SQLite (``stores.sqlite``, the embedded default), PostgreSQL
(``stores.postgres``, production) and the in-memory store (``stores.memory``, ``memory://``, for
fast tests). Each is the eventsourcing library's process recorder plus our extensions, written in
the same transaction as the events they belong to: receipts (idempotency keys), the hash chain
(``stores.tamper_evidence``) and the data subjects' key table (``KeyStore``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent, Tracking

from domain.personal_data import KeptKey, KeyStore, NewKey

LEDGER_NAME = "Ledger"
"""The application's name: the library derives the PostgreSQL table names and its environment keys'
prefix (``LEDGER_…``) from it."""

if TYPE_CHECKING:
    from domain.stores.tamper_evidence import VerifyReport

class Receipt(NamedTuple):
    """An idempotency key as recorded: the key, who sent it and a digest of what it stood for
    (``domain.service.receipts``); a bare key string is a receipt without sender and digest."""

    key: str
    sender: str | None = None
    digest: str | None = None


ReceiptRow = tuple[str, str | None, str | None]


def receipt_rows(receipts: Sequence[Receipt | str]) -> list[ReceiptRow]:
    """(key, sender, digest) of each receipt, for an adapter to insert."""
    return [(r, None, None) if isinstance(r, str) else (r.key, r.sender, r.digest) for r in receipts]


NotificationRow = tuple[int, str, int, str, bytes]
"""(position, originator id as hex, version, topic, stored state): what projections read."""


class PageSource(NamedTuple):
    """How a reader of its own (``projections.page_stream``, an ADBC driver) reads this store's
    notification rows: the driver's name, a URI it connects with (it may hold a password), and the
    page query with ``{start}`` and ``{limit}`` to fill in (integers)."""

    driver: str
    uri: str
    sql: str


@runtime_checkable
class LedgerStore(KeyStore, Protocol):
    """A store the ledger can run on: the library's process recorder as far as the ledger uses it,
    with receipts, the hash chain, the key table and fast reads of the whole log."""

    # The library's ProcessRecorder --------------------------------------------------------------

    def insert_events(self, stored_events: Sequence[StoredEvent], *, tracking: Tracking | None = None,
                      receipts: Sequence[Receipt | str] = (),
                      guards: Sequence[tuple[UUID, int]] = (),
                      keys: Sequence[NewKey] = (),
                      sealed_with: Sequence[KeptKey] = ()) -> Sequence[int] | None:
        """Append events, their receipts, the data subjects' keys first sealed into them (``Sealer.new_keys``) and
        a tracking position in one transaction; their positions. A receipt or a tracking position already
        recorded, a subject that has a key by now, a stored key they were sealed with that is gone
        (``Sealer.kept_keys``: a forget meanwhile), or an aggregate of ``guards`` (``stores.guards``) no longer
        at the version given, fails the whole transaction."""

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        """One aggregate's events, by version."""

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True) -> Sequence[Notification]:
        """The log from ``start``, in position order."""

    def max_notification_id(self) -> int | None:
        """The newest position (None for an empty log)."""

    def max_tracking_id(self, application_name: str) -> int | None:
        """The newest source position recorded for ``application_name`` (a Kafka partition, ...)."""

    # Receipts -----------------------------------------------------------------------------------

    def existing_receipts(self, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys are recorded."""

    def receipt_digests(self, keys: Sequence[str]) -> dict[str, str | None]:
        """The recorded ones of these keys and each one's content digest (None: recorded before digests
        were kept), in one query."""

    def count_receipts(self, prefix: str) -> int:
        """How many recorded idempotency keys start with ``prefix``."""

    # Reading the whole log ----------------------------------------------------------------------

    def select_notification_rows(self, start: int, limit: int) -> list[NotificationRow]:
        """Notifications from ``start`` as plain tuples (no UUID, no Notification per row)."""

    def page_source(self) -> PageSource | None:
        """How a reader process of its own reads the log; None when no other process can (in memory)."""

    # The hash chain and the store's identity ----------------------------------------------------

    def store_identity(self) -> str | None:
        """The random id created with the store (None for a store created before stores had one)."""

    def chain_link(self, position: int) -> bytes | None:
        """The hash-chain link stored for ``position`` (None when the store has none there)."""

    def verify_chain(self) -> VerifyReport:
        """Check the whole log against its chain and head; name the first bad position."""
