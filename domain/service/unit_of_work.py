"""The aggregates one batch of commands touches, and the new events it makes, in command order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from eventsourcing.application import AggregateNotFoundError

from domain.base import DomainError, LedgerAggregate, TooEarly, key_id
from domain.business_keys import new_key, skeletons
from domain.client import Client
from domain.known_keys import known_keys, skeleton_receipts
from domain.person import Person
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
        self.claims: dict[tuple[str, str], list[str]] = {}
        """(kind, new key) -> the skeleton receipts it writes when its aggregate is added (a refused command
        adds none)."""
        self.new_keys: dict[tuple[str, str], str] = {}
        """(kind, skeleton) -> the key this batch created with it (not in the store yet)."""
        self.relied: dict[Any, int] = {}
        """Aggregate id -> the version read, of aggregates a command was judged by without changing them."""

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
        """A new ``cls`` named ``key``: none by that key, nor one it looks like (docs/brief.md §10 "Keys"),
        whose skeleton this one claims (the claim is written when the new aggregate is added)."""
        if self.find(cls, key) is not None:
            raise DomainError(f"{cls.KIND} {key!r} already exists")
        self._refuse_look_alike(cls, key)
        self.claims[(cls.KIND, key)] = skeleton_receipts(cls.KIND, key)

    def _refuse_look_alike(self, cls: type[LedgerAggregate], key: str) -> None:
        index = known_keys(self.repository)
        in_batch = (self.new_keys.get((cls.KIND, form)) for form in sorted(skeletons(key)))
        holder = next(filter(None, in_batch), None) or (index.holder(cls, key) if index else None)
        if holder is not None and holder != key:
            raise DomainError(f"{cls.KIND} {key!r} looks like the existing {cls.KIND} {holder!r} (it differs "
                              "only by case or by characters that look alike): use that key or another")

    def require_person(self, key: str) -> None:
        """A member's person: a registered person by exact key, or a person never registered (the operator's
        import may add one) whose key the rule for new keys admits and that looks like no registered one."""
        if self.find(Person, key) is not None:
            return
        try:
            normal = new_key(key)
        except ValueError as error:
            raise DomainError(f"person {key!r} is not registered, and {error}") from None
        if normal != key:
            raise DomainError(f"person {key!r} is not registered, and a new key is written NFKC-normalised "
                              f"({normal!r})")
        self._refuse_look_alike(Person, key)

    def require_party(self, key: str) -> None:
        """A promisee is a client or a team."""
        party = self.find(Client, key) or self.find(Team, key)
        if party is None:
            raise DomainError(f"unknown promisee {key!r} (neither a client nor a team)")
        self.refer(type(party), key)

    def rely_on(self, aggregate: LedgerAggregate) -> None:
        """A command judged by ``aggregate`` without changing it (an experiment taking an observation): the batch
        is recorded only if it is still at the version read (``domain.stores.guards``)."""
        self.relied.setdefault(aggregate.id, aggregate.version)

    def guards(self) -> list[tuple[Any, int]]:
        """The relied-on aggregates this batch did not change (those it changed clash on their own versions)."""
        changed = {event.originator_id for event in self.events}
        return [(aggregate_id, version) for aggregate_id, version in self.relied.items() if aggregate_id not in changed]

    def add(self, aggregate: LedgerAggregate) -> None:
        self.loaded[(aggregate.KIND, aggregate.key)] = aggregate  # type: ignore[attr-defined]
        self.by_kind.setdefault(aggregate.KIND, {})[aggregate.key] = aggregate  # type: ignore[attr-defined]
        self.changes[aggregate.KIND] = self.changes.get(aggregate.KIND, 0) + 1
        self.events.extend(aggregate.collect_events())
        key: str = aggregate.key  # type: ignore[attr-defined]
        receipts = self.claims.pop((aggregate.KIND, key), None)
        if receipts is not None:
            self.receipts.extend(Receipt(receipt) for receipt in receipts)
            self.new_keys.update({(aggregate.KIND, form): key for form in skeletons(key)})
