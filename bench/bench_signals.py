"""Benchmark: what judging the whole company's signals costs inside a process, on a views file already caught up.

    python -m bench.bench_signals VIEWS [--json]

Beside ``bench_scale``'s ``signals --json`` (a new process: start, imports, catch-up check, answer), the CPU seconds
of each source's full evaluation (``active.raised_by``'s parts), of a cache's first answer, and of its answer a
second later and a day later with no new event (what the server's pages and the webhook delivery pay each round).
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from bench.bench_common import report
from projections.signals.active import now_for_signals
from projections.signals.cache import SignalCache
from projections.signals.sources import DECLARED


def _cpu(work: Any) -> tuple[float, Any]:
    started = time.process_time()
    answer = work()
    return time.process_time() - started, answer


def signals_in_process(views: Path) -> dict[str, Any]:
    """CPU seconds of every source in full, then of a cache's first answer, one second and one day later."""
    con = duckdb.connect(str(views), read_only=True)
    try:
        now = now_for_signals()
        row: dict[str, Any] = {}
        for source in DECLARED:
            row[f"{source.name}_cpu_s"], found = _cpu(lambda source=source: source(con, now))
            row[f"{source.name}_signals"] = len(found)
        row["full_cpu_s"] = sum(v for k, v in row.items() if k.endswith("_cpu_s"))
        cache = SignalCache()
        for name, at in (("cache_first", now), ("cache_second_later", now + timedelta(seconds=1)),
                         ("cache_day_later", now + timedelta(days=1))):
            row[f"{name}_cpu_s"], _ = _cpu(lambda at=at: cache.raised_by(con, at))
        return row
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("views", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    report(f"signals in one process: {args.views}", [signals_in_process(args.views),
                                                      {"load_average_1_5_15": " ".join(load)}], args.json)


if __name__ == "__main__":
    main()
