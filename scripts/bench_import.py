"""Benchmark: `clientocracy import` of N readings vs the raw library appending N events, same run.

    python -m scripts.bench_import [--n 100000] [--stores sqlite,postgres] [--json]

Ours parses and validates every JSONL line, checks references, writes receipts and the hash
chain; the raw baseline appends the library's own aggregates, 1,000 per save(), on the same store.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from domain.application import Ledger
from scripts.bench_common import fresh_store, raw_append, report, timed
from scripts.import_file import import_lines


def write_readings(path: Path, n: int) -> None:
    with path.open("w") as out:
        out.write(json.dumps({"type": "DefineMetric", "id": "bench-metric", "metric": "ontime", "name": "On time",
                              "unit": "%", "direction": "higher_is_better", "at": "2026-01-01T00:00:00Z"}) + "\n")
        for i in range(n):
            out.write(json.dumps({
                "type": "RecordReading", "id": f"bench-r{i}", "metric": "ontime", "value": 80 + (i * 7919) % 200 / 10,
                "at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            }) + "\n")


def bench(kind: str, n: int, workdir: Path, data: Path) -> dict[str, object]:
    with fresh_store(kind, workdir, "raw") as url:
        raw_seconds = raw_append(url, n)
    with fresh_store(kind, workdir, "ours") as url:
        ledger = Ledger.open(url)
        with data.open("rb") as stream:
            ours_seconds, summary = timed(lambda: import_lines(ledger, stream))
        assert summary.accepted == n + 1 and not summary.errors, summary.to_dict()
        with data.open("rb") as stream:
            again_seconds, again = timed(lambda: import_lines(ledger, stream))
        assert again.skipped == n + 1
        ledger.close()
    return {
        "store": kind,
        "events": n,
        "raw_events_per_s": n / raw_seconds,
        "import_lines_per_s": n / ours_seconds,
        "ratio": raw_seconds / ours_seconds,
        "reimport_lines_per_s": n / again_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data = workdir / "readings.jsonl"
        write_readings(data, args.n)
        rows = [bench(kind, args.n, workdir, data) for kind in args.stores.split(",")]
    report("import vs raw eventsourcing append (batches of 1,000)", rows, args.json)


if __name__ == "__main__":
    main()
