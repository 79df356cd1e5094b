"""Forgetting a data subject in a log that never forgets: crypto-shredding.

``forget`` destroys the subject's key (see ``domain.personal_data``), so every sealed value of it reads
as ``[forgotten]`` from then on, and records the ``Erasure`` aggregate's ``SubjectForgotten`` event.
Keys, numbers and the history stay, and the hash chain is untouched: it covers the ciphertext, which
does not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from domain.audit import Audit
from domain.base import DomainError, key_id
from domain.erasure import Erasure
from domain.personal_data import ErasureNotRecorded, IncompleteErasure, KeyStore, client_subject, person_subject

if TYPE_CHECKING:
    from domain.facts import CrossIndex


class ForgettingLedger(Protocol):
    """What forgetting needs of the ledger (``domain.service.ledger.Ledger``, which forgets through here)."""

    @property
    def events(self) -> Any: ...
    @property
    def repository(self) -> Any: ...
    @property
    def keystore(self) -> KeyStore: ...
    def record(self, events: list[Any], tracking: Any, receipts: Sequence[Any]) -> int | None: ...
    def forget(self, kind: str, key: str, reason: str, actor: str | None = None,
               at: datetime | None = None) -> ForgetResult: ...


COUNCIL_RULE = "council"


class UnknownSubject(DomainError):
    """Nothing is stored about this subject: there is nothing to forget."""


class NotCouncil(DomainError):
    """Only the council may forget a data subject (through any channel but the trusted operator's)."""

    rule = COUNCIL_RULE


class Rebuilds(Protocol):
    """Views that can be rebuilt from zero (``domain.service.views``): how a forget leaves no plaintext in them."""

    def rebuild(self) -> object: ...


@dataclass(frozen=True)
class ForgetResult:
    subject: str
    key_destroyed: bool
    """False when the subject had no key left (forgotten before, and nothing new since)."""
    erasure: str | None
    """The key of the ``Erasure`` recorded now, None when none was needed."""
    incomplete: str | None = None
    """Why a copy of the key may remain in the store for now (run the forget again later)."""
    position: int | None = None
    """Where the ``SubjectForgotten`` event was stored."""

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "key_destroyed": self.key_destroyed, "erasure": self.erasure,
                "already_forgotten": self.erasure is None, "incomplete": self.incomplete, "position": self.position}


def subject_of(kind: str, key: str) -> str:
    if kind == "client":
        return client_subject(key)
    if kind == "person":
        return person_subject(key)
    raise ValueError(f"a data subject is a client or a person, not {kind!r}")


def _exists(ledger: ForgettingLedger, kind: str, key: str) -> bool:
    return bool(list(ledger.events.get(key_id(kind, key), limit=1)))


def forget(ledger: ForgettingLedger, kind: str, key: str, reason: str, audit: Audit) -> ForgetResult:
    """Destroy the subject's key, then record ``SubjectForgotten`` (once per destroyed key).

    The key goes first: a crash between the two leaves the data forgotten and the record
    missing, and running ``forget`` again records it (the subject still exists).
    """
    subject = subject_of(kind, key)
    erasures = 0
    while _exists(ledger, Erasure.KIND, subject if erasures == 0 else f"{subject}#{erasures + 1}"):
        erasures += 1
    row = ledger.keystore.subject_keys((subject,)).get(subject)
    if row is None and not erasures and not _exists(ledger, kind, key):
        raise UnknownSubject(f"unknown {kind} {key!r}: nothing is stored about it")
    incomplete = None
    try:  # also when no key is left: a forget run again finishes scrubbing what an earlier one could not
        destroyed = ledger.keystore.destroy_subject_key(subject)
    except IncompleteErasure as error:
        destroyed, incomplete = error.deleted, str(error)
    if not destroyed and erasures:
        return ForgetResult(subject, key_destroyed=False, erasure=None, incomplete=incomplete)
    erasure_key = subject if erasures == 0 else f"{subject}#{erasures + 1}"
    erasure = Erasure(key=erasure_key, subject=subject, subject_kind=kind, subject_key=key,
                      key_id=None if row is None else str(row[0]), reason=reason, audit=audit)
    try:
        position = ledger.record(list(erasure.collect_events()), tracking=None, receipts=[])
    except Exception as error:
        if not destroyed:
            raise  # nothing changed: the plain failure says it
        raise ErasureNotRecorded(
            f"the key of {subject} is destroyed (its data is forgotten), but recording SubjectForgotten failed:"
            f" {error}; run the same forget again to record it (other servers rebuild their views when it is"
            " recorded)", subject) from error
    return ForgetResult(subject, key_destroyed=destroyed, erasure=erasure_key, incomplete=incomplete,
                        position=position)


def forget_subject(ledger: ForgettingLedger, kind: str, key: str, reason: str, *, actor: str | None = None,
                   views: Rebuilds | None = None) -> ForgetResult:
    """The forget use case: destroy the key, record ``SubjectForgotten``, then rebuild ``views``
    (a views file rows were written to holds the plaintext in its free blocks until it is rebuilt);
    a subject already forgotten, with nothing new stored since, changes nothing and rebuilds nothing."""
    try:
        result = ledger.forget(kind, key, reason, actor=actor)
    except ErasureNotRecorded as erasure:
        if views is not None:  # the key is gone all the same: these views must not keep its plaintext
            try:
                views.rebuild()
            except Exception as error:  # what the caller must learn first is that the key is gone
                raise ErasureNotRecorded(f"{erasure}; rebuilding the views failed too ({error})",
                                         erasure.subject) from error
        raise
    if views is not None and result.erasure is not None:
        views.rebuild()
    return result


def forget_as(ledger: ForgettingLedger, person: str, kind: str, key: str, reason: str, *,
              index: CrossIndex | None = None, views: Rebuilds | None = None) -> ForgetResult:
    """``forget_subject`` by ``person``, who must sit on the council (``NotCouncil`` otherwise)."""
    from domain.facts import UnitOfWorkFacts  # the aggregates' facts: only who may forget asks them
    from domain.service.unit_of_work import UnitOfWork

    if not UnitOfWorkFacts(UnitOfWork(ledger.repository), index).council(person):
        raise NotCouncil(f"only the council may forget a data subject ({person} is not on it)")
    return forget_subject(ledger, kind, key, reason, actor=person, views=views)
