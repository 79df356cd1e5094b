"""The Kafka feedback consumer: a consumer-group member that records each message exactly once.

Exactly-once comes from the event store, not from Kafka: each partition's position is a
tracking record ``kafka:TOPIC:PARTITION`` written in the same transaction as the feedback it
produced, every assigned partition is sought to that position + 1, and a re-sent message is
recognised by its ``feedback_id``.  Offset commits only keep the group's lag visible to
Kafka tooling; they are never read back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError

from consumers.batch_writers import BatchWriter, InlineWriter, WriterProcess
from consumers.kafka_batch import KafkaBatch, tracking_name
from consumers.kafka_undecodable import BrokenBatch, poll, step_over
from consumers.recording import IngestSummary, Progress
from domain.service.ledger import Ledger
from domain.service.stopping import Stop

log = logging.getLogger(__name__)

DEFAULT_GROUP = "clientocracy-feedback"
MAX_BATCH = 5000
POLL_TIMEOUT_MS = 500
JOIN_TIMEOUT_S = 120.0


class KafkaIngestError(RuntimeError):
    """The consumer could not do its job (e.g. never got into its group)."""


def partition_name(tp: TopicPartition) -> str:
    return tracking_name(tp.topic, tp.partition)


class GroupMember(ConsumerRebalanceListener):
    """Owns the partitions the group gives it: seeks each to the store's position and records its batches.

    kafka-python calls the listener only inside ``poll()``. Before partitions change hands the
    writer is drained, so a revoked partition's batches are normally recorded before its new
    owner reads the position, and an assigned one is sought to the position the store holds then.
    """

    def __init__(self, consumer: KafkaConsumer, writer: BatchWriter, rebalance_wait: float) -> None:
        self.consumer = consumer
        self.writer = writer
        self.rebalance_wait = rebalance_wait
        self.leaving = False
        self.joined = False
        self.last_activity = time.monotonic()
        self.committed: dict[TopicPartition, int] = {}

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.drain()
        for tp in assigned:
            done = self.writer.position(partition_name(tp), refresh=True)
            if done is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, done + 1)
        log.info("assigned %s", sorted(tp.partition for tp in assigned))
        self.joined = True
        self.last_activity = time.monotonic()

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.drain()
        log.info("revoked %s", sorted(tp.partition for tp in revoked))
        self.last_activity = time.monotonic()

    def drain(self) -> None:
        """Let the writer finish the batches it holds before partitions change hands, for a while.

        kafka-python runs these callbacks on its network loop, so heartbeats wait meanwhile: after
        ``rebalance_wait`` seconds we go on. Nothing depends on it but tidiness: the store's positions
        and receipts still keep every message once, and the writer re-reads a position only after
        the batches handed over before; the new owner may just redo (and dead-letter again) a batch.
        """
        if self.leaving:
            return  # the loop has flushed the writer already, or stopped because it failed
        if not self.writer.flush(self.rebalance_wait):
            log.warning("the writer is still recording after %.1fs; the rebalance goes on", self.rebalance_wait)

    def process(self, records: Mapping[TopicPartition, list[ConsumerRecord]]) -> None:
        """Hand one poll's records to the writer: one batch (one transaction) per partition."""
        if self.writer.summary.first_message is None:
            self.writer.summary.first_message = time.monotonic()
        for tp, batch in records.items():
            self.writer.record(KafkaBatch.of(tp.topic, tp.partition, batch))
        self.last_activity = time.monotonic()
        self.collect()

    def step_over(self, broken: BrokenBatch) -> None:
        """Report a batch that cannot be decoded and hand it to the writer, after the batches before it, to
        be dead-lettered and tracked; the partition reads on after it."""
        self.writer.summary.undecodable_batches.append(broken.report())
        if step_over(self.consumer, broken):
            self.writer.record(KafkaBatch.undecodable(broken))
        self.last_activity = time.monotonic()

    def collect(self) -> None:
        """Take in what the writer has recorded meanwhile and commit it to Kafka as a courtesy."""
        self.writer.collect()
        offsets = {}
        for tp in self.consumer.assignment():
            done = self.writer.position(partition_name(tp))
            if done is not None and done > self.committed.get(tp, -1):
                offsets[tp] = OffsetAndMetadata(done + 1, "", -1)
                self.committed[tp] = done
        if offsets:
            self.consumer.commit_async(offsets, callback=_log_commit_failure)

    def lags(self) -> dict[str, int | None]:
        """Messages behind the broker's high watermark, per partition, where the broker told us one."""
        lags: dict[str, int | None] = {}
        for tp in self.consumer.assignment():
            highwater = self.consumer.highwater(tp)
            done = self.writer.position(partition_name(tp))
            next_offset = 0 if done is None else done + 1
            lags[partition_name(tp)] = None if highwater is None else max(0, highwater - next_offset)
        return lags


def leave_group(consumer: KafkaConsumer, member: GroupMember) -> None:
    """Close the consumer. Leaving the group revokes its partitions; the member does not drain the writer
    then (the loop did, or failed), and anything kafka-python still raises is only logged."""
    member.leaving = True
    try:
        consumer.close(autocommit=False)
    except KafkaError as error:
        log.warning("while leaving the group: %s (cause: %r)", error, error.__cause__)


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
    stop: Stop | None = None,
    session_timeout: float = 6.0,
    max_batch: int = MAX_BATCH,
    join_timeout: float = JOIN_TIMEOUT_S,
    on_progress: Progress | None = None,
    progress_interval: float = 1.0,
    writer_process: bool = True,
) -> IngestSummary:
    """Consume ``topic`` as a member of ``group`` until ``stop`` is set or ``until_idle`` seconds pass
    with no message and no rebalance; the batches fetched by then are always recorded first.

    ``writer_process`` records in a second process, so fetching and recording overlap; without
    it this process does both in turn. The writer is started with multiprocessing's ``spawn``,
    which imports the calling program's main module again: a script calling this must keep its
    work under ``if __name__ == "__main__":``.
    """
    summary = IngestSummary(source=f"kafka:{topic}")
    stop = stop or Stop()
    with ExitStack() as cleanup:
        cleanup.callback(summary.finish)
        writer: BatchWriter = (WriterProcess if writer_process else InlineWriter)(ledger, summary, bootstrap, topic)
        cleanup.callback(writer.close)
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
        member = GroupMember(consumer, writer, rebalance_wait=session_timeout / 3)
        cleanup.callback(leave_group, consumer, member)
        consumer.subscribe([topic], listener=member)
        next_progress = time.monotonic() + progress_interval
        while not stop.is_set():
            records = poll(consumer, POLL_TIMEOUT_MS)
            if isinstance(records, BrokenBatch):
                member.step_over(records)
            elif records:
                member.process(records)
            else:
                member.collect()
            now = time.monotonic()
            if on_progress is not None and now >= next_progress:
                on_progress(summary, member.lags())
                next_progress = now + progress_interval
            if not member.joined and now - summary.started > join_timeout:
                raise KafkaIngestError(f"not in group {group!r} at {bootstrap} after {join_timeout:.0f}s")
            if member.joined and until_idle is not None and now - member.last_activity >= until_idle:
                break
        writer.flush()
        member.collect()
    return summary
