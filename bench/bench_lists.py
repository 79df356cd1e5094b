"""Benchmark: the lists (docs/brief.md §8) and "did you mean" over N promises, beside DuckDB's own page query.

    python -m bench.bench_lists [--n 10000] [--repeat 20] [--json]

The company of ``bench.bench_home`` (one member of the kitchen proposes N promises to the diner) is imported
into SQLite and projected; then, on the caught-up views, the median of ``--repeat`` calls of: a page of 100
promises (the first and the last) as the council and as the diner's representative (read rules applied), the
nearest keys of a typo, and the raw library's ``SELECT … ORDER BY … LIMIT 100`` over the same table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_common import report
from bench.bench_home import seed
from domain.read_policy import OPERATOR, Viewer
from projections.lists import list_items
from projections.suggestions import did_you_mean
from projections.timeline import FOREVER
from scripts.reading import caught_up_views

RAW = "SELECT promise, statement FROM promise_state_as_of($as_of) ORDER BY promise LIMIT 100 OFFSET $offset"


def median_seconds(action: Callable[[], Any], repeat: int) -> float:
    action()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    last = max(0, args.n - 100)
    diner = Viewer("dora", clients=frozenset({"diner"}))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ledger.db'}"
        seed(url, args.n)
        with caught_up_views(url, str(Path(folder) / "views.duckdb")) as con:
            cases: dict[str, Callable[[], Any]] = {
                "raw DuckDB page of 100 (first)": lambda: con.execute(RAW, {"as_of": FOREVER, "offset": 0}).fetchall(),
                "list promises, first 100 (council)": lambda: list_items(con, "promises", OPERATOR, FOREVER, 100),
                "list promises, last 100 (council)": lambda: list_items(con, "promises", OPERATOR, FOREVER, 100, last),
                "list promises, first 100 (diner's rep)": lambda: list_items(con, "promises", diner, FOREVER, 100),
                "did you mean 'p0O123' (council)": lambda: did_you_mean(con, "promise", "p0O123", OPERATOR, FOREVER),
            }
            rows = [{"case": name, "promises": args.n, "median ms": round(median_seconds(run, args.repeat) * 1000, 2)}
                    for name, run in cases.items()]
    report("Lists and did-you-mean over N promises", rows, args.json)


if __name__ == "__main__":
    main()
