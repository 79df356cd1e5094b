"""The aggregates one batch of commands touches, and the new events it makes, in command order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from eventsourcing.application import AggregateNotFoundError

from domain.base import DomainError, LedgerAggregate, TooEarly, key_id
from domain.client import Client
from domain.personal_data import Sealer
from domain.stores.port import Receipt
from domain.stores.subject_keys import MemorySubjectKeys
from domain.team import Team

A = TypeVar("A", bound=LedgerAggregate)


class Repository(Protocol):
    def get(self, aggregate_id: Any) -> Any: ...


class UnitOfWork:
    """Loads each aggregate once per batch, so later commands see the earlier ones' changes."""

    def __init__(self, repository: Repository, sealer: Sealer | None = None, id_scope: str | None = None) -> None:
        self.repository = repository
        self.id_scope = id_scope
        """Whose line ids these are: None for the operator's, else the acting person's (``handlers.keys.new_key``)."""
        self.sealer = sealer or Sealer(MemorySubjectKeys())
        """Seals personal text before it enters an event (``uow.sealer.seal(subject, text)``)."""
        self.at = datetime.min.replace(tzinfo=UTC)  # business time of the command being handled
        self.loaded: dict[tuple[str, str], LedgerAggregate | None] = {}
        self.by_kind: dict[str, dict[str, LedgerAggregate]] = {}
        """The loaded aggregates of each kind (the permission table looks over a batch's promises and teams)."""
        self.changes: dict[str, int] = {}
        """How many changes of each kind this batch has made (a fact remembered before one may be stale)."""
        self.events: list[Any] = []
        self.receipts: list[Receipt] = []

    def find(self, cls: type[A], key: str) -> A | None:
        slot = (cls.KIND, key)
        if slot not in self.loaded:
            try:
                self.loaded[slot] = self.repository.get(key_id(cls.KIND, key))
            except AggregateNotFoundError:
                self.loaded[slot] = None
            if self.loaded[slot] is not None:
                self.by_kind.setdefault(cls.KIND, {})[key] = self.loaded[slot]  # type: ignore[assignment]
        found = self.loaded[slot]
        if found is not None and not isinstance(found, cls):
            raise DomainError(f"{key!r} is not a {cls.KIND}")
        return found

    def require(self, cls: type[A], key: str) -> A:
        """The aggregate a command acts on (its own clock rejects a time before its latest event)."""
        found = self.find(cls, key)
        if found is None:
            raise DomainError(f"unknown {cls.KIND} {key!r}")
        return found

    def refer(self, cls: type[A], key: str) -> A:
        """An aggregate a command names, which must already exist at the command's business time:
        otherwise the state "as of" that time would point at something that did not exist yet."""
        found = self.require(cls, key)
        if found.first_at > self.at:
            raise TooEarly(
                f"{cls.KIND} {key!r} did not exist yet at {self.at.isoformat()} "
                f"(it was created at {found.first_at.isoformat()})", found.first_at
            )
        return found

    def require_absent(self, cls: type[LedgerAggregate], key: str) -> None:
        if self.find(cls, key) is not None:
            raise DomainError(f"{cls.KIND} {key!r} already exists")

    def require_party(self, key: str) -> None:
        """A promisee is a client or a team."""
        party = self.find(Client, key) or self.find(Team, key)
        if party is None:
            raise DomainError(f"unknown promisee {key!r} (neither a client nor a team)")
        self.refer(type(party), key)

    def add(self, aggregate: LedgerAggregate) -> None:
        self.loaded[(aggregate.KIND, aggregate.key)] = aggregate  # type: ignore[attr-defined]
        self.by_kind.setdefault(aggregate.KIND, {})[aggregate.key] = aggregate  # type: ignore[attr-defined]
        self.changes[aggregate.KIND] = self.changes.get(aggregate.KIND, 0) + 1
        self.events.extend(aggregate.collect_events())
