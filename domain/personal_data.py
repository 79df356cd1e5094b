"""Personal data, crypto-shredded: sealed with a key per data subject, kept outside the event log.

The event log is immutable and hash-chained, so personal text (a client's name and description,
a person's name and email, feedback text) is never written to it in plaintext: it is sealed with
AES-256-GCM under its data subject's key (``client:KEY`` or ``person:KEY``; feedback text belongs
to the feedback's client) into an envelope string, ``enc:v1:SUBJECT:KID:BASE64(nonce + ciphertext)``.
The keys live in their own table of the store, outside the log and its chain. Forgetting a subject
destroys its key: every envelope sealed with it then reads as ``[forgotten]``, while the events,
their chain and ``verify`` stay as they were.

``KID`` names the key generation: data a subject sends after being forgotten gets a new key, and
an envelope of the destroyed key must still read as forgotten, not as tampered. The subject and
the key id are the cipher's associated data, so an envelope cannot be moved to another subject
and a key row changed by hand fails loudly instead of opening into wrong text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
FORGOTTEN = "[forgotten]"
"""What every output shows in place of a forgotten subject's personal text."""
KEY_BYTES = 32
NONCE_BYTES = 12
KID_PATTERN = re.compile(r"[0-9a-f]{16}")
BULK_AFTER = 64
"""At its this-many-th key lookup a reader loads the whole key table at once (a rebuild)."""

FINGERPRINT_LABEL = b"clientocracy personal text fingerprint v1"
"""A subject's fingerprint key is the HMAC of this label under its AES key: the AES key itself is never a MAC key."""

KeyRow = tuple[Any, Any]
"""(key id, key) as the key table holds them: checked before use, as anyone may have edited them."""
NewKey = tuple[str, str, bytes]
"""(subject, key id, key) of a key made for a batch, written with the batch's events (``Sealer.new_keys``)."""
KeptKey = tuple[str, str]
"""(subject, key id) of a key a batch sealed with that was in the store before it: see ``Sealer.kept_keys``."""


class PersonalDataError(RuntimeError):
    """The key table or a sealed value is damaged: reading on would crash or show wrong text."""


class ErasureNotRecorded(PersonalDataError):
    """The subject's key is destroyed, but ``SubjectForgotten`` could not be recorded after it (the events table
    was locked, the connection lost): the data is forgotten, but servers that learn of a forget from that event
    have not rebuilt their views. Running the same forget again records it."""

    def __init__(self, message: str, subject: str) -> None:
        super().__init__(message)
        self.subject = subject


class IncompleteErasure(RuntimeError):
    """The key row is deleted, but the store could not yet scrub every copy of it (see ``subject_keys``)."""

    def __init__(self, message: str, deleted: bool) -> None:
        super().__init__(message)
        self.deleted = deleted


def client_subject(client: str) -> str:
    return f"client:{client}"


def person_subject(person: str) -> str:
    return f"person:{person}"


def new_key_row() -> tuple[str, bytes]:
    return os.urandom(8).hex(), os.urandom(KEY_BYTES)


class KeyStore(Protocol):
    """The store's key table (``domain.stores.subject_keys``)."""

    def subject_keys(self, subjects: Collection[str] | None, *, create: bool = False) -> dict[str, KeyRow]:
        """The keys of ``subjects`` (all keys when None); ``create`` makes the missing ones first."""

    def destroy_subject_key(self, subject: str) -> bool:
        """Delete the subject's key so that no file of the store keeps it; False if it had none.
        Raises ``IncompleteErasure`` when the row is gone but a copy may remain for now."""


def _cipher(subject: str, row: KeyRow) -> tuple[str, AESGCM]:
    """The key id and cipher of a key row, or a clear error naming what is wrong with the row."""
    kid, key = row
    if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
        raise PersonalDataError(f"the key table's row for {subject!r} is damaged: its key id {kid!r} "
                                "is not 16 hex digits")
    if isinstance(key, memoryview):
        key = bytes(key)
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        size = f"{len(key)} bytes" if isinstance(key, bytes) else type(key).__name__
        raise PersonalDataError(f"the key table's row for {subject!r} is damaged: its key is {size}, "
                                f"an AES-256 key is {KEY_BYTES} bytes")
    return kid, AESGCM(key)


def _associated(subject: str, kid: str) -> bytes:
    return f"{subject}:{kid}".encode()


class Sealer:
    """Seals personal text for a batch of writes, with keys fetched (or created) once per batch.

    ``with_events``: a missing key is made here, not in the key store, and the batch writes the ones it used
    (``new_keys``) in the same transaction as its events. A key written apart from its events outlived a batch
    whose events were not written (a lock wait run out): a key of a subject nothing is stored about, which a
    ``forget`` took for data to erase. Without it the key store makes the key at once (a webhook's secret,
    sealed into no event)."""

    def __init__(self, keystore: KeyStore, subjects: Iterable[str] = (), *, with_events: bool = False) -> None:
        self.keystore = keystore
        self.with_events = with_events
        self.ciphers: dict[str, tuple[str, AESGCM, bytes]] = {}
        self.macs: dict[str, tuple[str, bytes]] = {}
        """(key id, fingerprint key) per subject: see ``fingerprint``."""
        self.made: dict[str, tuple[str, bytes]] = {}
        """The keys made here (``with_events``), not in the key store yet."""
        self.used: set[str] = set()
        """Subjects whose key sealed or fingerprinted something."""
        self.prepare(subjects)

    def prepare(self, subjects: Iterable[str], *, create: bool = True) -> None:
        """Fetch the keys of these subjects in one go, creating the missing ones (unless not ``create``)."""
        missing = {s for s in subjects if s not in self.ciphers}
        if not missing:
            return
        rows = self.keystore.subject_keys(missing, create=create and not self.with_events)
        if create and self.with_events:
            self.made.update((subject, new_key_row()) for subject in missing - rows.keys())
            rows = {**rows, **{subject: self.made[subject] for subject in missing - rows.keys()}}
        for subject, row in rows.items():
            kid, cipher = _cipher(subject, row)
            self.ciphers[subject] = (kid, cipher, _associated(subject, kid))
            self.macs[subject] = (kid, hmac.digest(bytes(row[1]), FINGERPRINT_LABEL, "sha256"))

    @contextmanager
    def tentatively(self) -> Iterator[None]:
        """Keys used inside count as used only if the block ends without an error: a command refused after its
        text was sealed (a new client's key that looks like another's) leaves its subject's key unwritten."""
        before = set(self.used)
        try:
            yield
        except BaseException:
            self.used = before
            raise

    def new_keys(self) -> list[NewKey]:
        """The keys made here that sealed or fingerprinted something, in subject order (the order writers lock
        key rows in): the store inserts them with the events, and a subject given a key meanwhile by another
        writer fails the transaction as a write conflict, so the batch is decided again with that key."""
        return [(subject, *self.made[subject]) for subject in sorted(self.made.keys() & self.used)]

    def kept_keys(self) -> list[KeptKey]:
        """The stored keys that sealed or fingerprinted something, in subject order: the store checks in the
        events' transaction that each is still there, so a ``forget`` that destroyed one since this batch read
        it fails the transaction as a write conflict, and the batch is decided again under a new key (its text
        was sealed under the destroyed key, unreadable from the start, and a re-send a duplicate of it)."""
        return [(subject, self.ciphers[subject][0]) for subject in sorted(self.used - self.made.keys())]

    def fingerprint(self, subject: str, text: str) -> tuple[str, str] | None:
        """(key id, HMAC-SHA256 of ``text``) under the subject's current key, to compare personal text without
        keeping it: once the key is destroyed nobody can tell what it was. None when the subject has no key
        (``prepare`` first; with ``create=False`` a forgotten subject stays without one)."""
        found = self.macs.get(subject)
        if found is None:
            return None
        self.used.add(subject)
        kid, mac_key = found
        return kid, hmac.new(mac_key, text.encode(), hashlib.sha256).hexdigest()

    def seal(self, subject: str, text: str) -> str:
        """The envelope of ``text`` under the subject's current key."""
        if subject not in self.ciphers:
            self.prepare((subject,))
        kid, cipher, associated = self.ciphers[subject]
        self.used.add(subject)
        nonce = os.urandom(NONCE_BYTES)
        sealed = base64.b64encode(nonce + cipher.encrypt(nonce, text.encode(), associated)).decode()
        return f"{PREFIX}{subject}:{kid}:{sealed}"

    def seal_optional(self, subject: str, text: str | None) -> str | None:
        return None if text is None else self.seal(subject, text)


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def envelope_subject(value: str) -> str:
    """The data subject an envelope belongs to."""
    return _parts(value)[0]


def _parts(value: str) -> tuple[str, str, str]:
    parts = value[len(PREFIX):].rsplit(":", 2)
    if len(parts) != 3:
        raise PersonalDataError(f"a sealed value is damaged (not subject:key id:data): {value[:60]!r}")
    return parts[0], parts[1], parts[2]


class Revealer:
    """Opens envelopes for readers; a destroyed key reads as ``[forgotten]``, a damaged one raises.

    Keys are cached for the reader's lifetime: a reader that outlives a ``forget`` still holds
    the destroyed key, so views rebuild with a new reader when a ``SubjectForgotten`` reaches
    them (``projections.forgetting``).
    """

    def __init__(self, keystore: KeyStore) -> None:
        self.keystore = keystore
        self.keys: dict[str, tuple[str, AESGCM] | None] = {}
        self.looked_up: set[tuple[str, str]] = set()
        self.misses = 0
        self.revealed: set[tuple[str, str]] = set()
        """(subject, key id) of every key whose plaintext this reader handed out."""
        self._finding = threading.Lock()
        """DuckDB calls ``reveal_all`` from several threads at once (a rebuild's page): without it a second
        thread would take a key that the first is still looking up for destroyed, and read ``[forgotten]``."""

    def reveal(self, value: Any) -> Any:
        """Plaintext of an envelope; anything else (None, text stored before encryption) as it is."""
        return self.reveal_all((value,))[0]

    def reveal_all(self, values: Iterable[Any]) -> list[Any]:
        """``reveal`` of each value, each key's cipher found once for the batch (a page's column of texts)."""
        openers: dict[tuple[str, str], tuple[AESGCM, bytes] | None] = {}
        opened: list[Any] = []
        for value in values:
            if not isinstance(value, str) or not value.startswith(PREFIX):
                opened.append(value)
                continue
            subject, kid, payload = _parts(value)
            try:
                opener = openers[subject, kid]
            except KeyError:
                cipher = self._opener(subject, kid)
                opener = openers[subject, kid] = None if cipher is None else (cipher, _associated(subject, kid))
            opened.append(FORGOTTEN if opener is None else self._open(subject, kid, payload, *opener))
        return opened

    def _open(self, subject: str, kid: str, payload: str, cipher: AESGCM, associated: bytes) -> str:
        """The plaintext of one envelope's payload (base64 of nonce + ciphertext)."""
        try:
            sealed = binascii.a2b_base64(payload, strict_mode=True)
            plain = cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise PersonalDataError(
                f"the key of {subject!r} does not open its sealed data: the key table row (or the event) "
                f"was altered ({type(error).__name__})"
            ) from None
        self.revealed.add((subject, kid))
        return plain.decode()

    def _opener(self, subject: str, kid: str) -> AESGCM | None:
        """The cipher of key ``kid``, None once destroyed. A key not cached, or cached under another
        id (a newer one, created after a forget), is looked up again, once per (subject, key id)."""
        with self._finding:
            found = self.keys.get(subject)  # None: not cached yet, or cached as destroyed
            if (found is None or found[0] != kid) and (subject, kid) not in self.looked_up:
                self.looked_up.add((subject, kid))
                self._load(subject)
                found = self.keys[subject]
        if found is None or found[0] != kid:
            return None
        return found[1]

    def _load(self, subject: str) -> None:
        self.misses += 1
        # a rebuild: one query for all keys beats one per subject
        rows = self.keystore.subject_keys(None if self.misses == BULK_AFTER else (subject,))
        for name, row in rows.items():
            self.keys[name] = _cipher(name, row)
        if subject not in rows:
            self.keys[subject] = None

