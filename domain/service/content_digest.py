"""What an idempotency key stands for: a digest of the content as sent (docs/brief.md §10).

The content is the validated command (or feedback message) without ``id`` and without any field left
at its default: ``model_dump(exclude_defaults=True)``. Comparing validated values, not bytes, makes two
spellings of one thing the same content (``"rating": null`` and no rating; ``…Z`` and ``…+00:00``;
surrounding blanks a key loses), and a field a later version adds with a default leaves the digests
of older commands as they were. ``type`` stays in (it has no default): the same fields under another
command are other content; so do ``actor``, ``at`` and ``reason`` when given (an import line names its
actor; through the API ``actor`` is refused and a missing ``at`` stays missing, whatever time the
server records). Personal text (fields marked ``Personal``) enters as an HMAC under its data subject's
key (``Sealer.fingerprint``), never in the clear: once the subject is forgotten and the key destroyed,
nobody can tell what it was, and the digest keeps the subject and key id it was made under so the
comparison knows it cannot tell (``same_content``).

A feedback's ``feedback_id`` also names its Feedback aggregate, so its content is the feedback alone
(``FeedbackFields`` without ``feedback_id``): the same complaint through Kafka, a file, the API's
``/api/feedback`` or an import line is the same content whatever else the command carries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

from domain import commands as c
from domain.personal_data import Sealer

FEEDBACK_FIELDS = frozenset(c.FeedbackFields.model_fields) - {"feedback_id"}
"""A feedback's content, whichever command or message carries it."""


@dataclass(frozen=True)
class Digest:
    """A content digest; with personal text, also the digest of the rest (``public``) and the subject keys
    (key id; None: the subject has no key now) the text's HMACs took."""

    value: str
    public: str = ""
    keys: tuple[tuple[str, str | None], ...] = ()

    def stored(self) -> str:
        """As a receipt keeps it: the hash; with personal text, then the rest's hash and the keys as JSON."""
        if not self.keys:
            return self.value
        return f"{self.value} {self.public} {json.dumps(sorted(self.keys), separators=(',', ':'))}"


def _hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def digest_of(model: BaseModel, sealer: Sealer, *, feedback: bool = False) -> Digest:
    """The digest of a command's content (``feedback``: of the feedback it carries, see the module's docstring)."""
    content = model.model_dump(mode="json", exclude_defaults=True,
                               include=set(FEEDBACK_FIELDS) if feedback else None, exclude={"id"})
    personal = {name: mark.subject_of(model) for name, mark in c.personal_fields(type(model)).items()
                if name in content}
    if not personal:
        return Digest(_hash(content))
    public = _hash({name: value for name, value in content.items() if name not in personal})
    keys: list[tuple[str, str | None]] = []
    for name, subject in personal.items():
        found = sealer.fingerprint(subject, content[name])
        content[name] = {"hmac": found[1] if found else None}
        keys.append((subject, found[0] if found else None))
    return Digest(_hash(content), public, tuple(keys))


def same_content(stored: str | None, digest: Digest) -> bool:
    """Does a recorded receipt's digest stand for this content? Where one cannot tell, yes (a skip, as before
    digests were kept): a receipt recorded without a digest, or one whose personal text was sealed under a
    subject's key destroyed since (its HMAC can no longer be made), the rest of the content being the same."""
    if stored is None:
        return True
    value, _, rest = stored.partition(" ")
    if value == digest.value or not rest:
        return value == digest.value
    public, _, keys = rest.partition(" ")
    if public != digest.public:
        return False
    now = dict(digest.keys)
    return any(subject in now and now[subject] != kid for subject, kid in json.loads(keys))
