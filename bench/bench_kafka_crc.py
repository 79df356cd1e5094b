"""Benchmark: the Kafka ingest rate with kafka-python's C CRC-32C check (the `crc32c` package) and without.

    python -m bench.bench_kafka_crc [--n 100000] [--stores sqlite] [--members 0] [--rounds 2] [--json]

kafka-python checks every record batch's CRC-32C, in C when `crc32c` imports, else in pure Python.
This produces N messages once, then runs ``bench.bench_kafka`` on that topic in child processes,
alternating with the package and with it made unimportable (``tests/support/blocked_imports``), so
both see the same broker, topic and machine load; each child times the raw consumer and ours.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_common import report
from bench.bench_kafka import messages
from tests.support.kafka import create_topic, produce, start_tansu, stop_process

ROOT = Path(__file__).resolve().parents[1]
BLOCKER = ROOT / "tests" / "support" / "blocked_imports"


def run(bootstrap: str, topic: str, args: argparse.Namespace, c_crc: bool) -> list[dict[str, Any]]:
    """One ``bench.bench_kafka`` child on ``topic``; with ``c_crc`` False it cannot import ``crc32c``."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "CLIENTOCRACY_TEST_BLOCK_IMPORTS": "" if c_crc else "crc32c",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(BLOCKER), str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_kafka", "--json", "--topic", topic, "--n", str(args.n),
         "--stores", args.stores, "--members", str(args.members)],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    rows: list[dict[str, Any]] = json.loads(result.stdout)["results"]
    assert {row["crc32c"] for row in rows} == {"C" if c_crc else "Python"}, rows
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--members", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not bootstrap:
            broker, bootstrap = start_tansu(Path(tmp) / "broker.log")
        try:
            topic = create_topic(bootstrap, partitions=4, prefix="bench-crc")
            produce(bootstrap, topic, messages(args.n))
            for round_ in range(args.rounds):
                for c_crc in (True, False) if round_ % 2 == 0 else (False, True):
                    rows += [{"round": round_ + 1, **row} for row in run(bootstrap, topic, args, c_crc)]
        finally:
            if broker is not None:
                stop_process(broker)
    report("Kafka ingestion with and without kafka-python's C CRC-32C check (raw consumer in the same child)",
           rows, args.json)


if __name__ == "__main__":
    main()
