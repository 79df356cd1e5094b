"""Benchmark: what recording when signals appeared adds to a delivery round (``notifications.webhooks.appearing``).

    python -m bench.bench_appearances [--signals 100000] [--json]

On a SQLite file and a PostgreSQL schema: the first round ever (every signal recorded), a round with nothing new
(the process remembers them all), a round after a restart (a new process reads them back), and a round with 1,000
new signals among the rest. Each signal raised within the last 90 days, so every one is recorded.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.bench_common import fresh_store, report
from domain.stores.appearance_tables import appearances_in
from domain.stores.common import opened_recorder
from notifications.webhooks.appearing import Appearances
from projections.signals.model import Signal


def signals(n: int, tag: str) -> list[Signal]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return [Signal("promise_missed", "promise", f"p{i}", tag, "ops", None, now - timedelta(minutes=(i % 129_600)),
                   {}, f"/promises/p{i}") for i in range(n)]


def timed(appearances: Appearances, found: list[Signal]) -> tuple[float, int]:
    started = time.perf_counter()
    news = appearances.news(found, time.time())
    return time.perf_counter() - started, len(news)


def measure(kind: str, n: int, workdir: Path) -> dict[str, Any]:
    found = signals(n, "a")
    with fresh_store(kind, workdir, "appearances") as url, opened_recorder(url) as store:
        first = Appearances(appearances_in(store))
        first_round, news = timed(first, found)
        steady, _ = timed(first, found)
        restarted, _ = timed(Appearances(appearances_in(store)), found)
        with_new, _ = timed(first, [*found, *signals(1000, "b")])
    return {"store": kind, "signals": n, "first_round_s": first_round, "news": news, "steady_round_s": steady,
            "after_restart_s": restarted, "with_1000_new_s": with_new}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [measure(kind, args.signals, Path(folder)) for kind in ("sqlite", "postgres")]
    rows.append({"load_average_1m": os.getloadavg()[0]})
    report("Recording signals' appearances in a delivery round", rows, args.json)


if __name__ == "__main__":
    main()
