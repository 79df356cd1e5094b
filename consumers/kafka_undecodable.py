"""A record batch the consumer cannot decode: found, reported, dead-lettered and stepped over.

kafka-python decodes a batch inside ``poll()``: a codec whose library is missing (or one Kafka adds
later) raises ``UnsupportedCodecError``, a bad checksum ``CorruptRecordError``, a damaged payload the
codec's own error. The exception names neither the partition nor the offsets, and the fetcher
stays parked on that batch: every later ``poll()`` spins on it (kafka-python 3.0) until the
partition is sought elsewhere. The batch and its partition are the locals of the fetcher's
``_unpack_records`` frame in the exception's traceback; from them we take the first and last
offsets and the raw bytes, and seek past the last offset. The batch then goes to the writer like
any other, in order: its dead letter is made durable, then its last offset is tracked.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from eventsourcing.persistence import Tracking
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError

from consumers.dead_letter import KafkaDeadLetters, SourceRecord
from consumers.messages import Rejection
from consumers.recording import FeedbackRecorder
from domain.service.batch import PositionAlreadyRecorded

log = logging.getLogger(__name__)

UNDECODABLE_BATCH = "undecodable_batch"
CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
_FETCHER_FRAME = "_unpack_records"


@dataclass(frozen=True, slots=True)
class BrokenBatch:
    """Where an undecodable batch lies, why it failed, and its bytes as fetched (None once decompressed)."""

    topic: str
    partition: int
    first_offset: int
    last_offset: int
    codec: str
    reason: str
    payload: bytes | None

    def report(self) -> dict[str, Any]:
        """What the run's summary says of it (its bytes are in the dead letter)."""
        return {name: value for name, value in asdict(self).items() if name != "payload"}

    def rejection(self) -> Rejection:
        return Rejection(UNDECODABLE_BATCH, f"{self.codec} batch at offsets {self.first_offset}-{self.last_offset} "
                                            f"cannot be decoded: {self.reason}")

    def source_record(self) -> SourceRecord:
        return SourceRecord(self.topic, self.partition, self.first_offset, None, self.payload, [], self.last_offset)


def broken_batch(error: BaseException) -> BrokenBatch | None:
    """The batch kafka-python was decoding when ``error`` was raised, or None if it was not decoding one."""
    traceback = error.__traceback__
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_code.co_name == _FETCHER_FRAME and "batch" in frame.f_locals and "tp" in frame.f_locals:
            batch, tp = frame.f_locals["batch"], frame.f_locals["tp"]
            first, last = getattr(batch, "base_offset", None), getattr(batch, "last_offset", None)
            if not isinstance(first, int) or not isinstance(last, int):
                return None  # an old-format (v0/v1) message set: no batch bounds to step over
            codec = getattr(batch, "compression_type", None)
            raw = codec == 0 or not getattr(batch, "_decompressed", True)
            payload = bytes(batch._buffer) if raw and hasattr(batch, "_buffer") else None
            return BrokenBatch(tp.topic, tp.partition, first, last, CODECS.get(codec, f"codec {codec}"),  # type: ignore[arg-type]
                               f"{type(error).__name__}: {error}", payload)
        traceback = traceback.tb_next
    return None


def poll(consumer: KafkaConsumer, timeout_ms: int) -> dict[TopicPartition, list[ConsumerRecord]] | BrokenBatch:
    """One poll: its records, or the batch it could not decode. An error of our rebalance listener
    comes out as itself, not as kafka-python's wrapper."""
    try:
        return consumer.poll(timeout_ms=timeout_ms)  # type: ignore[no-any-return]
    except Exception as error:
        broken = broken_batch(error)
        if broken is not None:
            return broken
        if isinstance(error, KafkaError) and error.__cause__ is not None and not isinstance(error.__cause__,
                                                                                            KafkaError):
            raise error.__cause__ from error
        raise


def step_over(consumer: KafkaConsumer, broken: BrokenBatch) -> bool:
    """Seek past the batch if its partition is still ours (else its new owner meets it); True if so."""
    tp = TopicPartition(broken.topic, broken.partition)
    log.error("undecodable batch in %s partition %d, offsets %d-%d: %s", broken.topic, broken.partition,
              broken.first_offset, broken.last_offset, broken.rejection().reason)
    if tp not in consumer.assignment():
        return False
    consumer.seek(tp, broken.last_offset + 1)
    return True


def record_broken(recorder: FeedbackRecorder, dead_letters: KafkaDeadLetters, name: str, broken: BrokenBatch) -> None:
    """Dead-letter the batch durably, then track its last offset (no feedback): once, unless a crash
    falls between the two, when the batch is met and dead-lettered again, as a bad message is."""
    done = recorder.position(name)
    if done is not None and done >= broken.last_offset:
        return
    dead_letters.send([(broken.source_record(), broken.rejection())])
    recorder.summary.dead_lettered += 1
    try:
        recorder.ledger.record_feedback([], Tracking(name, broken.last_offset), sender=recorder.sender)
    except PositionAlreadyRecorded:
        recorder.position(name, refresh=True)
        return
    recorder.summary.positions[name] = broken.last_offset
