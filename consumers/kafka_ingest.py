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
from contextlib import ExitStack

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from consumers.batch_writers import BatchWriter, InlineWriter, WriterProcess
from consumers.group_member import GroupMember
from consumers.ingest_summary import IngestSummary, Progress
from consumers.kafka_undecodable import BrokenBatch, poll
from domain.service.ledger import Ledger
from domain.service.stopping import Stop

log = logging.getLogger(__name__)

DEFAULT_GROUP = "clientocracy-feedback"
MAX_BATCH = 5000
POLL_TIMEOUT_MS = 500
JOIN_TIMEOUT_S = 120.0


class KafkaIngestError(RuntimeError):
    """The consumer could not do its job (e.g. never got into its group)."""


def leave_group(consumer: KafkaConsumer, member: GroupMember) -> None:
    """Close the consumer. Leaving the group revokes its partitions; the member does not drain the writer
    then (the loop did, or failed), and anything kafka-python still raises is only logged."""
    member.leaving = True
    try:
        consumer.close(autocommit=False)
    except KafkaError as error:
        log.warning("while leaving the group: %s (cause: %r)", error, error.__cause__)


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
