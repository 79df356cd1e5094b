"""The Kafka feedback consumer: a consumer-group member that records each message exactly once.

Exactly-once comes from the event store, not from Kafka: each partition's position is a
tracking record ``kafka:TOPIC:PARTITION`` written in the same transaction as the feedback it
produced, every assigned partition is sought to that position + 1, and a re-sent message is
recognised by its ``feedback_id``.  Offset commits only keep the group's lag visible to
Kafka tooling; they are never read back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from consumers.dead_letter import KafkaDeadLetters
from consumers.recording import FeedbackRecorder, Incoming, IngestSummary, Progress
from domain.application import Ledger

log = logging.getLogger(__name__)

DEFAULT_GROUP = "clientocracy-feedback"
MAX_BATCH = 5000
POLL_TIMEOUT_MS = 500
JOIN_TIMEOUT_S = 120.0


class KafkaIngestError(RuntimeError):
    """The consumer could not do its job (e.g. never got into its group)."""


def tracking_name(tp: TopicPartition) -> str:
    return f"kafka:{tp.topic}:{tp.partition}"


def correlation(record: ConsumerRecord) -> str:
    return f"kafka:{record.topic}:{record.partition}:{record.offset}"


class GroupMember(ConsumerRebalanceListener):
    """Owns the partitions the group gives it: seeks each to the store's position and records its batches.

    kafka-python calls the listener only inside ``poll()``, and every batch a poll returns is
    recorded before the next poll, so at a revocation the member holds no unrecorded batch.
    """

    def __init__(
        self, consumer: KafkaConsumer, recorder: FeedbackRecorder, dead_letters: KafkaDeadLetters
    ) -> None:
        self.consumer = consumer
        self.recorder = recorder
        self.dead_letters = dead_letters
        self.joined = False
        self.last_activity = time.monotonic()

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        for tp in assigned:
            done = self.recorder.position(tracking_name(tp), refresh=True)
            if done is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, done + 1)
        log.info("assigned %s", sorted(tp.partition for tp in assigned))
        self.joined = True
        self.last_activity = time.monotonic()

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        log.info("revoked %s", sorted(tp.partition for tp in revoked))
        self.last_activity = time.monotonic()

    def process(self, records: Mapping[TopicPartition, list[ConsumerRecord]]) -> None:
        """Record one poll's records: one transaction per partition, then commit as a courtesy."""
        for tp, batch in records.items():
            items = [Incoming(r.offset, correlation(r), r.value, r) for r in batch]
            self.recorder.record(tracking_name(tp), items, self.dead_letters)
        self.last_activity = time.monotonic()
        self._commit(records)

    def _commit(self, records: Mapping[TopicPartition, list[ConsumerRecord]]) -> None:
        offsets = {}
        for tp in records:
            done = self.recorder.position(tracking_name(tp))
            if done is not None:
                offsets[tp] = OffsetAndMetadata(done + 1, "", -1)
        if offsets:
            self.consumer.commit_async(offsets, callback=_log_commit_failure)

    def lags(self) -> dict[str, int | None]:
        """Messages behind the broker's high watermark, per partition, where the broker told us one."""
        lags: dict[str, int | None] = {}
        for tp in self.consumer.assignment():
            highwater = self.consumer.highwater(tp)
            done = self.recorder.position(tracking_name(tp))
            next_offset = 0 if done is None else done + 1
            lags[tracking_name(tp)] = None if highwater is None else max(0, highwater - next_offset)
        return lags


def _log_commit_failure(offsets: Any, result: Any) -> None:
    if isinstance(result, Exception):
        log.debug("offset commit failed (harmless, the store holds the positions): %s", result)


def ingest_kafka(
    ledger: Ledger,
    *,
    bootstrap: str,
    topic: str,
    group: str = DEFAULT_GROUP,
    until_idle: float | None = None,
    stop: threading.Event | None = None,
    session_timeout: float = 6.0,
    max_batch: int = MAX_BATCH,
    join_timeout: float = JOIN_TIMEOUT_S,
    on_progress: Progress | None = None,
    progress_interval: float = 1.0,
) -> IngestSummary:
    """Consume ``topic`` as a member of ``group`` until ``stop`` is set or ``until_idle`` seconds pass
    with no message and no rebalance; the current batch is always finished first."""
    summary = IngestSummary(source=f"kafka:{topic}")
    recorder = FeedbackRecorder(ledger, summary)
    stop = stop or threading.Event()
    with ExitStack() as cleanup:
        cleanup.callback(summary.finish)
        dead_letters = KafkaDeadLetters(bootstrap, topic)
        cleanup.callback(dead_letters.close)
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            client_id=f"clientocracy-{group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_batch,
            session_timeout_ms=int(session_timeout * 1000),
            heartbeat_interval_ms=max(100, int(session_timeout * 1000 / 3)),
        )
        cleanup.callback(consumer.close, autocommit=False)
        member = GroupMember(consumer, recorder, dead_letters)
        consumer.subscribe([topic], listener=member)
        next_progress = time.monotonic() + progress_interval
        while not stop.is_set():
            records = consumer.poll(timeout_ms=POLL_TIMEOUT_MS)
            if records:
                member.process(records)
            now = time.monotonic()
            if on_progress is not None and now >= next_progress:
                on_progress(summary, member.lags())
                next_progress = now + progress_interval
            if not member.joined and now - summary.started > join_timeout:
                raise KafkaIngestError(f"not in group {group!r} at {bootstrap} after {join_timeout:.0f}s")
            if member.joined and until_idle is not None and now - member.last_activity >= until_idle:
                break
    return summary
