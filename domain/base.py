"""The base of every aggregate: ids from business keys, audit on every event, time that never goes back."""

from __future__ import annotations

from datetime import datetime
from hashlib import sha1
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import resolve_topic

from domain.audit import Audit

KEY_NAMESPACE = uuid5(NAMESPACE_URL, "https://clientocracy.example/ledger")


class DomainError(ValueError):
    """A command that would break an invariant; the message says which and why."""


class TooEarly(DomainError):
    """A command dated before something it acts on or names: ``latest`` is the earliest business time it
    could take (a person's command dated by the server moves there, ``domain.service.business_time_policy``)."""

    def __init__(self, message: str, latest: datetime) -> None:
        super().__init__(message)
        self.latest = latest


class TimeWentBack(TooEarly):
    """An event dated before its aggregate's latest one (for a command dated "now", a race: see
    ``Ledger.execute``)."""


_NAMESPACE_BYTES = KEY_NAMESPACE.bytes
_UUID5_KEEP = ~(0xF000 << 64) & ~(0xC000 << 48) & ((1 << 128) - 1)
_UUID5_SET = (5 << 76) | (0x8000 << 48)


def key_id(kind: str, key: str) -> UUID:
    """The same business key always names the same aggregate (idempotent, replayable imports).

    It is ``uuid5(KEY_NAMESPACE, f"{kind}:{key}")``, computed in half the time of ``uuid5``
    (it runs once per streamed message): SHA-1, then the version 5 and RFC 4122 variant bits.
    """
    digest = sha1(_NAMESPACE_BYTES + f"{kind}:{key}".encode(), usedforsecurity=False).digest()
    return UUID(int=int.from_bytes(digest[:16]) & _UUID5_KEEP | _UUID5_SET)


class PersonalFields:
    """An aggregate's personal attributes, derived from the command that creates it (its fields marked
    ``domain.commands.fields.Personal``; the command named by topic). Read on first use, so importing an
    aggregate never imports the commands and pydantic (the show commands' short road reads aggregates'
    topics only)."""

    def __init__(self, command_topic: str) -> None:
        self.command_topic = command_topic
        self.fields: tuple[str, ...] | None = None

    def __get__(self, instance: object, owner: type | None = None) -> tuple[str, ...]:
        if self.fields is None:
            from domain.commands.fields import personal_fields

            self.fields = tuple(personal_fields(resolve_topic(self.command_topic)))
        return self.fields


class LedgerAggregate(Aggregate):
    """An aggregate whose events all carry an Audit and whose business time only moves forward.

    Subclasses set ``KIND`` (the namespace of their keys) and name their key field ``key``.
    Keeping business time monotonic per aggregate is what makes "the state as of T"
    (replaying the events with ``at <= T``) a prefix of its history, never a gap.
    """

    KIND = "aggregate"
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Attributes holding sealed personal text (``domain.personal_data``), opened by ``Ledger.state`` and the
    projector: ``PersonalFields("domain.commands.clients:IdentifyClient")``, the fields marked ``Personal`` on
    the command that creates the aggregate, whose names the aggregate keeps."""
    LATER_PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Attributes a later event sets to personal text of the aggregate's own data subject (a feedback's answers
    belong to its client), which the command cannot name: the handler seals them (``Feedback.sealed``); the
    events carrying a field of this name hold it sealed (``domain.topics.sealed_fields``), opened as above."""
    first_at: datetime
    last_at: datetime

    @classmethod
    def create_id(cls, key: str, **_: Any) -> UUID:
        return key_id(cls.KIND, key)

    class Event(Aggregate.Event):
        audit: Audit

        def apply(self, aggregate: Any) -> None:
            aggregate.last_at = self.audit.at

    class Created(Event, Aggregate.Created):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.first_at = self.audit.at

    def check_time(self, audit: Audit) -> None:
        """Refuse an event dated before this aggregate's latest event."""
        if audit.at < self.last_at:
            raise TimeWentBack(
                f"{self.KIND} {getattr(self, 'key', self.id)}: at {audit.at.isoformat()} is before its "
                f"latest event at {self.last_at.isoformat()}; business time cannot go back", self.last_at
            )


class MissingAuthority(DomainError):
    """Step 5: a promise cannot be agreed (or amended) while its promisor lacks an authority it requires.

    Through the API it is a refusal (403) naming the missing authority, not an invalid command."""

    rule = "authority: the promisor team must hold every authority the promise requires"
