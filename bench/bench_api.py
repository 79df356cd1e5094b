"""Benchmark: the HTTP API of a real `clientocracy serve` process, beside its own baselines, same run.

    python -m bench.bench_api [--n 100000] [--writes 20000] [--stores sqlite,postgres] [--clients 16]
                              [--seconds 10] [--rounds 3] [--only reads|writes|observations] [--json]

1. reads (``bench.api_reads``): `GET /api/teams/{key}` on a store of N events, `--clients` concurrent keep-alive
   clients on loopback: p50/p99 latency and requests/s, beside `GET /api/health` of the same server as a ratio;
   repeated (cached) and with a distinct `as_of` each; the CPU time of one team answer in this process.
2. writes (``bench.api_writes``): `POST /api/commands` with arrays of 500 readings vs `clientocracy import` of
   the same readings (in process) on a fresh store of the same kind.
3. observations (``bench.api_writes``): `--writes` RecordObservation commands of one started experiment in
   arrays of 500 vs the same number of readings, both through the API (issue 22 §1).

The server (``bench.api_client``) and its clients are shared with the other API benchmarks.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.api_client import TEAM
from bench.api_reads import bench_reads, big_store_extras
from bench.api_writes import bench_writes, observations_vs_readings
from bench.bench_common import report, write_readings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="events in the store of the read benchmark")
    parser.add_argument("--writes", type=int, default=20_000,
                        help="readings (and observations) posted in the write benchmarks")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the write benchmarks")
    parser.add_argument("--only", choices=["reads", "writes", "observations"], help="run one of the benchmarks")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    kinds = args.stores.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        writes = workdir / "writes.jsonl"
        write_readings(writes, args.writes)
        if args.only in (None, "reads"):
            reads = workdir / "reads.jsonl"
            write_readings(reads, args.n - len(TEAM) - len(big_store_extras()) - 1)
            rows = [bench_reads(k, workdir, reads, args.clients, args.seconds) for k in kinds]
            report(f"GET /api/teams/{{key}}, {args.clients} concurrent clients, vs GET /api/health", rows, args.json)
        if args.only in (None, "writes"):
            rows = [bench_writes(k, writes, rounds=args.rounds) for k in kinds]
            report("POST /api/commands, arrays of 500 readings, vs clientocracy import", rows, args.json)
        if args.only in (None, "observations"):
            rows = [observations_vs_readings(k, writes, rounds=args.rounds) for k in kinds]
            report("POST /api/commands, arrays of 500: observations of one experiment vs as many readings", rows,
                   args.json)


if __name__ == "__main__":
    main()
