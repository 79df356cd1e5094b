"""Dead letters: rejected messages kept, with the reason, where a person can inspect and replay them.

Kafka: the topic ``<topic>.dlq`` gets the original key, value and headers plus headers naming
the reason and the source topic/partition/offset; a payload too large to write is cut (header
``truncated: true`` with the original sizes), so a dead letter can always be written. (Files:
``consumers.file_dead_letters``.) Both are durable when ``send`` returns, which is what lets the
caller advance its tracked position past them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from kafka import KafkaProducer
from kafka.errors import MessageSizeTooLargeError

from consumers.messages import Rejection
from consumers.recording import DeadLetterError

SEND_TIMEOUT_S = 30.0
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # never reached: a dead letter is cut to the limits below
DEAD_LETTER_MAX_PAYLOAD = 512 * 1024
"""Key + value of a dead letter at most (half of Kafka's default 1 MiB message limit); longer ones keep their head."""
DEAD_LETTER_MAX_KEY = 16 * 1024
DEAD_LETTER_MAX_HEADERS = 64 * 1024
"""Original headers larger than this in total are dropped (their count is kept in a header)."""


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class SourceRecord(NamedTuple):
    """What a dead letter copies from the rejected Kafka record, and where that record was."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]
    last_offset: int | None = None
    """Set for a whole record batch that could not be decoded (``offset`` is then its first)."""


def dead_letter_headers(record: SourceRecord, rejection: Rejection) -> list[tuple[str, bytes | None]]:
    """The record's own headers, then ours: why it was rejected and exactly where it came from."""
    return [
        *(record.headers or []),
        ("reason", rejection.reason.encode()),
        ("reason_code", rejection.code.encode()),
        ("source_topic", record.topic.encode()),
        ("source_partition", str(record.partition).encode()),
        ("source_offset", str(record.offset).encode()),
        *([] if record.last_offset is None else [("source_last_offset", str(record.last_offset).encode())]),
    ]


class KafkaDeadLetters:
    """Produces rejected records to ``<topic>.dlq`` and waits until the broker has them all."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = dead_letter_topic(topic)
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            delivery_timeout_ms=int(SEND_TIMEOUT_S * 1000),
            max_block_ms=int(SEND_TIMEOUT_S * 1000),
            client_id="clientocracy-dead-letters",
            max_request_size=MAX_REQUEST_BYTES,
        )

    def send(self, rejected: Sequence[tuple[SourceRecord, Rejection]]) -> None:
        try:
            letters = [fitted(record, rejection) for record, rejection in rejected]
            futures = [self._send(letter) for letter in letters]
            self.producer.flush(timeout=SEND_TIMEOUT_S)
            for letter, future in zip(letters, futures, strict=True):
                try:
                    future.get(timeout=0)
                except MessageSizeTooLargeError:  # the broker's limit is lower still: keep only the facts
                    self._send(letter.bare()).get(timeout=SEND_TIMEOUT_S)
        except Exception as error:  # any failure means "not durably dead-lettered"
            raise DeadLetterError(f"could not write to {self.topic}: {error!r}") from error

    def _send(self, letter: DeadLetter) -> Any:
        return self.producer.send(self.topic, key=letter.key, value=letter.value, headers=letter.headers)

    def close(self) -> None:
        self.producer.close(timeout=SEND_TIMEOUT_S)


def _sendable_value(record: SourceRecord) -> bytes | None:
    """Kafka refuses a record with neither key nor value; such a one goes on as an empty value."""
    if record.value is None and record.key is None:
        return b""
    return record.value


class DeadLetter(NamedTuple):
    """One record as it goes to ``<topic>.dlq``."""

    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]
    ours: list[tuple[str, bytes | None]]
    """Our headers alone (reason, source position, truncation), which a bare letter keeps."""

    def bare(self) -> DeadLetter:
        """No key, no value, no original headers: what the broker accepts whatever its size limit."""
        return DeadLetter(None, b"", [*self.ours, ("payload_dropped", b"true")], self.ours)


def fitted(record: SourceRecord, rejection: Rejection) -> DeadLetter:
    """The dead letter of ``record``, its key, value and original headers cut to fit the limits above.

    A dead letter must always be writable (else the partition could never move past the record),
    so a payload over ``DEAD_LETTER_MAX_PAYLOAD`` keeps its head, and headers say what was cut.
    """
    key, value = record.key, _sendable_value(record)
    originals = list(record.headers or [])
    notes: list[tuple[str, bytes | None]] = []
    if key is not None and len(key) > DEAD_LETTER_MAX_KEY:
        notes.append(("original_key_bytes", str(len(key)).encode()))
        key = key[:DEAD_LETTER_MAX_KEY]
    room = DEAD_LETTER_MAX_PAYLOAD - len(key or b"")
    if value is not None and len(value) > room:
        notes.append(("original_value_bytes", str(len(value)).encode()))
        value = value[:room]
    if sum(len(name) + len(data or b"") for name, data in originals) > DEAD_LETTER_MAX_HEADERS:
        notes.append(("original_headers_dropped", str(len(originals)).encode()))
        originals = []
    ours = dead_letter_headers(record._replace(headers=[]), rejection)
    if notes:
        ours += [("truncated", b"true"), *notes]
    return DeadLetter(key, value, originals + ours, ours)
