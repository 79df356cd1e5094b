"""One partition's share of a poll, in the compact form a writer process receives, and how it is recorded.

A ``KafkaBatch`` holds plain columns (offsets, keys, values and the few non-empty headers), which
pickle at C speed, instead of kafka-python's record objects; the writer turns it into the shared
recording step's items and finds a rejected message's key and headers by its index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kafka.consumer.fetcher import ConsumerRecord

from consumers.dead_letter import KafkaDeadLetters, SourceRecord
from consumers.kafka_undecodable import BrokenBatch, record_broken
from consumers.messages import Rejection
from consumers.recording import FeedbackRecorder, Incoming

Header = tuple[str, bytes | None]


def tracking_name(topic: str, partition: int) -> str:
    """The tracking record of one partition: ``kafka:TOPIC:PARTITION``."""
    return f"kafka:{topic}:{partition}"


@dataclass(frozen=True, slots=True)
class KafkaBatch:
    topic: str
    partition: int
    offsets: list[int]
    keys: list[bytes | None]
    values: list[bytes | None]
    headers: dict[int, list[Header]]
    """Headers by index in the batch, only where a record has any (most have none)."""
    broken: BrokenBatch | None = None
    """Set (and no records) for a batch that could not be decoded: it is dead-lettered whole."""

    @classmethod
    def of(cls, topic: str, partition: int, records: Sequence[ConsumerRecord]) -> KafkaBatch:
        return cls(
            topic, partition, [r.offset for r in records], [r.key for r in records], [r.value for r in records],
            {i: list(r.headers) for i, r in enumerate(records) if r.headers},
        )

    @classmethod
    def undecodable(cls, broken: BrokenBatch) -> KafkaBatch:
        return cls(broken.topic, broken.partition, [], [], [], {}, broken)

    @property
    def tracking_name(self) -> str:
        return tracking_name(self.topic, self.partition)

    def incoming(self) -> list[Incoming[int]]:
        """The recording step's items; each one's origin is its index here."""
        prefix = f"{self.tracking_name}:"
        return [Incoming(offset, f"{prefix}{offset}", value, index)
                for index, (offset, value) in enumerate(zip(self.offsets, self.values, strict=True))]

    def source_record(self, index: int) -> SourceRecord:
        return SourceRecord(self.topic, self.partition, self.offsets[index], self.keys[index], self.values[index],
                            self.headers.get(index, []))


class BatchDeadLetters:
    """The dead letters of one batch: rejected items go to ``<topic>.dlq`` with their original key and headers."""

    def __init__(self, dead_letters: KafkaDeadLetters, batch: KafkaBatch) -> None:
        self.dead_letters = dead_letters
        self.batch = batch

    def send(self, rejected: Sequence[tuple[Incoming[int], Rejection]]) -> None:
        self.dead_letters.send([(self.batch.source_record(item.origin), rejection) for item, rejection in rejected])


def record_batch(recorder: FeedbackRecorder, dead_letters: KafkaDeadLetters, batch: KafkaBatch) -> None:
    """Record one batch exactly once, its rejected messages dead-lettered first."""
    if batch.broken is not None:
        record_broken(recorder, dead_letters, batch.tracking_name, batch.broken)
        return
    recorder.record(batch.tracking_name, batch.incoming(), BatchDeadLetters(dead_letters, batch))
