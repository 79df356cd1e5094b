"""What a ``feedback_id`` receipt recorded before receipts kept digests stood for: the Feedback it names.

A line ``id`` receipt of that age cannot tell who sent it or what it said (nothing leads from it to its
events), so it counts as the same content. A ``feedback_id`` names its Feedback aggregate, whose
``Recorded`` event holds the feedback as it was sent: its digest is made from there (one aggregate read,
only for such a receipt met again), so an outsider's feedback recorded before this rule still cannot
swallow a client's real complaint. Text whose subject was forgotten cannot be told: only the rest of
the feedback is compared (``content_digest.same_content``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from pydantic import ValidationError

from domain import commands as c
from domain.base import key_id
from domain.feedback import Feedback
from domain.personal_data import FORGOTTEN, KeyStore, Revealer, Sealer, client_subject
from domain.service.content_digest import FEEDBACK_FIELDS, Digest, digest_of

UNKNOWN_KEY = "destroyed"
"""The key id recorded for forgotten text: never a real one, so the comparison knows it cannot tell."""


def earlier_feedback(repository: Any, keystore: KeyStore, sealer: Sealer) -> Callable[[str], str | None]:
    """The stored-form digest of the feedback recorded under a ``feedback_id`` (None: none to tell from)."""
    revealer = Revealer(keystore)

    def digest(feedback_id: str) -> str | None:
        try:
            found = repository.get(key_id(Feedback.KIND, feedback_id))
        except AggregateNotFoundError:
            return None
        fields = {name: getattr(found, name) for name in FEEDBACK_FIELDS}
        fields["text"] = revealer.reveal(fields["text"])
        try:
            message = c.FeedbackMessage.model_validate({**fields, "feedback_id": feedback_id})
        except ValidationError:
            return None  # stored under rules since tightened: it cannot be compared
        subject = client_subject(message.client)
        sealer.prepare((subject,), create=False)
        made = digest_of(message, sealer, feedback=True)
        if fields["text"] == FORGOTTEN:
            made = Digest(made.value, made.public, ((subject, UNKNOWN_KEY),))
        return made.stored()

    return digest
