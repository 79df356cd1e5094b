"""Forgetting a data subject (GDPR art. 17) in a log that never forgets: the ``Erasure`` aggregate.

Its ``SubjectForgotten`` event says who was forgotten and why (the operator's reason: it must hold no
personal data itself). The use case that destroys the key and records it is ``domain.service.forget``.
"""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import LedgerAggregate

SUBJECT_KINDS = ("client", "person")


class Erasure(LedgerAggregate):
    """One forgetting of a data subject; a subject forgotten again (after new data) gets ``KEY#2``, ..."""

    KIND = "erasure"

    @event("SubjectForgotten")
    def __init__(self, key: str, subject: str, subject_kind: str, subject_key: str, key_id: str | None,
                 reason: str, audit: Audit) -> None:
        self.key = key
        self.subject = subject
        self.subject_kind = subject_kind
        self.subject_key = subject_key
        self.key_id = key_id  # the destroyed key's id (random, names no one): which envelopes it sealed
        self.reason = reason
