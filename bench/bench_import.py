"""Benchmark: `clientocracy import` of N readings vs the raw library appending N events, same run.

    python -m bench.bench_import [--n 100000] [--stores sqlite,postgres] [--json]

Ours parses and validates every JSONL line, checks references, writes receipts and the hash
chain; the raw baseline appends the library's own aggregates, 1,000 per save(), on the same store.
"""

from __future__ import annotations

from pathlib import Path

from bench.bench_common import fresh_store, raw_append, run_readings_benchmark, timed
from domain.service.ledger import Ledger
from scripts.import_file import import_lines


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
    run_readings_benchmark("import vs raw eventsourcing append (batches of 1,000)", __doc__, bench)


if __name__ == "__main__":
    main()
