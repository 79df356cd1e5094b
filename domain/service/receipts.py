"""Idempotency keys belong to their sender (docs/brief.md §10): which keys a command claims, and their verdict.

A sender is the trusted operator (``import``), an authenticated person (the API and the web alike) or a
channel (``kafka``, ``file``). A line ``id`` is a key of its sender's own: the receipt is
``line:SENDER<US>ID`` (US, the unit separator, cannot occur in a key), so an outsider's ``id`` X never
touches the operator's X. A ``feedback_id`` names the Feedback aggregate itself, so it is one key for
every sender: ``feedback:ID``. Each receipt keeps its sender and the digest of the content it stood for
(``content_digest``), and a key met again is judged:

- not recorded: the command is new;
- recorded for the same content (from anyone, e.g. the same complaint through Kafka and a file): a skip;
- recorded for other content: refused as an id conflict, never silently skipped (the API answers 409
  naming the key, ``import`` rejects the line, Kafka and file ingestion dead-letter it ``id_conflict``).

Receipts recorded before senders and digests were kept: a bare ``line:ID`` cannot tell who sent it or
what it stood for, so it is honoured as the same content for every sender, a skip, as it always was; a
``feedback:ID`` without a digest is told by the Feedback it names (``earlier_feedback``). Every batch
reads all its keys' receipts, old and new, in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

from pydantic import BaseModel

from domain import commands as c
from domain.personal_data import Sealer
from domain.registry import personal_subjects
from domain.service.batch import Acting, feedback_receipt, line_receipt
from domain.service.content_digest import Digest, digest_of, same_content
from domain.stores.port import LedgerStore, Receipt

OPERATOR = "operator"
KAFKA = "kafka"
FILE = "file"
SEPARATOR = "\x1f"


def person_sender(person: str) -> str:
    return f"person:{person}"


def sender_of(acting: Acting | None) -> str:
    """The operator's import, or the authenticated person (through whichever channel)."""
    return OPERATOR if acting is None else person_sender(acting.person)


def sender_line_receipt(sender: str, command_id: str) -> str:
    """The receipt of a line ``id`` of this sender's own."""
    return f"line:{sender}{SEPARATOR}{command_id}"


class Claim(NamedTuple):
    """One key a command claims: its receipt, the older receipt honoured in its place, the key as sent (a line
    ``id`` or a ``feedback_id``), and whether it is a ``feedback_id`` (whose content is the feedback alone)."""

    key: str
    legacy: str | None
    value: str
    feedback: bool

    @property
    def name(self) -> str:
        """How a refusal names the key."""
        return f"{'feedback_id' if self.feedback else 'id'} {self.value!r}"


def claims_of(cmd: Any, sender: str) -> list[Claim]:
    """The keys a command or feedback message claims: its line ``id`` (its sender's), and a ``feedback_id``."""
    claims = []
    command_id = getattr(cmd, "id", None)
    if command_id:
        # A bare receipt from before senders were kept is honoured for the operator's import only (which wrote
        # most of them): it would otherwise silently skip a person's or a channel's new command (docs/brief.md §10).
        legacy = line_receipt(command_id) if sender == OPERATOR else None
        claims.append(Claim(sender_line_receipt(sender, command_id), legacy, command_id, False))
    if isinstance(cmd, c.FeedbackFields):  # RecordFeedback, or a message from Kafka, a file or the API
        claims.append(Claim(feedback_receipt(cmd.feedback_id), None, cmd.feedback_id, True))
    return claims


class Verdict(Enum):
    NEW = "new"
    SEEN = "seen"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Judged:
    verdict: Verdict
    claim: Claim | None = None
    """The claim in conflict."""

    def reason(self) -> str:
        assert self.claim is not None
        return f"id_conflict: {self.claim.name} was already used for different content; send it under a new key"



class ReceiptBook:
    """The verdict on each command (or message) of a batch, its keys' receipts read in one query; extended
    as commands are accepted, so a key met twice in one batch is judged as if the first were recorded.

    Those with a recorded key are judged first, with their subjects' keys as they stand (a forgotten subject
    gets no new key for a duplicate); then the keys the others need are made in one go (``sealer.prepare``)."""

    def __init__(self, store: LedgerStore, sealer: Sealer, models: Sequence[BaseModel], sender: str,
                 earlier_feedback: Callable[[str], str | None] | None = None) -> None:
        self.sender = sender
        self.earlier_feedback = earlier_feedback
        """The digest of a feedback recorded before receipts kept digests (``domain.service.earlier_feedback``)."""
        self.claims = [claims_of(model, sender) for model in models]
        keys = sorted({key for own in self.claims for claim in own for key in (claim.key, claim.legacy) if key})
        self.stored: dict[str, str | None] = store.receipt_digests(keys) if keys else {}
        self.models = models
        self.sealer = sealer
        self.made: dict[tuple[int, bool], Digest] = {}
        recorded = [index for index, own in enumerate(self.claims)
                    if any(claim.key in self.stored or claim.legacy in self.stored for claim in own)]
        sealer.prepare(personal_subjects(models[index] for index in recorded), create=False)
        self.early = {index: self._judge(index) for index in recorded}
        sealer.prepare(personal_subjects(model for index, model in enumerate(models) if index not in self.early))

    def verdict(self, index: int) -> Judged:
        return self.early.get(index) or self._judge(index)

    def _judge(self, index: int) -> Judged:
        seen = False
        for claim in self.claims[index]:
            if claim.legacy is not None and claim.legacy in self.stored:
                seen = True  # recorded before senders and digests were kept: cannot tell, so the same
            elif claim.key in self.stored:
                stored = self.stored[claim.key]
                if stored is None and claim.feedback and self.earlier_feedback is not None:
                    stored = self.earlier_feedback(claim.value)  # it still tells, where it was not forgotten
                if not same_content(stored, self.digest(index, claim)):
                    return Judged(Verdict.CONFLICT, claim)
                seen = True
        return Judged(Verdict.SEEN if seen else Verdict.NEW)

    def digest(self, index: int, claim: Claim) -> Digest:
        """What a claim of this command stands for, made once."""
        made = self.made.get((index, claim.feedback))
        if made is None:
            made = digest_of(self.models[index], self.sealer, feedback=claim.feedback)
            self.made[index, claim.feedback] = made
        return made

    def note(self, index: int) -> list[Receipt]:
        """The receipts an accepted command writes; later commands of the batch are judged against them."""
        receipts = [Receipt(claim.key, self.sender, self.digest(index, claim).stored())
                    for claim in self.claims[index]]
        self.stored.update((receipt.key, receipt.digest) for receipt in receipts)
        return receipts
