"""One member of the feedback consumer group: the partitions it owns, sought to the store's positions.

Offset commits only keep the group's lag visible to Kafka tooling; they are never read back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from consumers.batch_writers import BatchWriter
from consumers.kafka_batch import KafkaBatch, tracking_name
from consumers.kafka_undecodable import BrokenBatch, step_over

log = logging.getLogger(__name__)


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


def _log_commit_failure(offsets: Any, result: Any) -> None:
    if isinstance(result, Exception):
        log.debug("offset commit failed (harmless, the store holds the positions): %s", result)
