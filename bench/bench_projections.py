"""Benchmark: rebuilding the DuckDB views vs the raw library reading and decoding the same events.

    python -m bench.bench_projections [--n 100000] [--stores sqlite,postgres] [--json]

Also times `clientocracy promise show --json` (with and without --as-of) as a user runs it:
a new process, catching up (nothing new) and answering, at N events.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_common import fresh_store, run_readings_benchmark, timed
from domain.service.ledger import Ledger
from projections.runner import rebuild
from scripts.import_file import import_lines

PROMISE_LINES = [
    {"type": "FormTeam", "id": "bench-team", "team": "delivery", "name": "Delivery", "at": "2025-12-01T00:00:00Z"},
    {"type": "IdentifyClient", "id": "bench-client", "client": "shoppers", "name": "Shoppers", "kind": "external",
     "at": "2025-12-01T00:00:00Z"},
    {"type": "ProposePromise", "id": "bench-p1", "promise": "p-ontime", "promisor": "delivery",
     "promisee": "shoppers", "statement": "On time", "metric": "ontime", "target": 88, "period": "week",
     "at": "2026-01-02T00:00:00Z"},
    {"type": "AgreePromise", "id": "bench-p2", "promise": "p-ontime", "at": "2026-01-03T00:00:00Z"},
]


def raw_read_decode(store_url: str, batch: int = 1000) -> tuple[float, int]:
    """Seconds for the library to select every notification and decode it into a domain event.

    The library's own recorder and mapper (with our one registered transcoding, for Audit).
    """
    app = Ledger.open(store_url)
    started = time.perf_counter()
    count, position = 0, 1
    while True:
        notifications = app.recorder.select_notifications(start=position, limit=batch)
        if not notifications:
            break
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        count += len(notifications)
        position = notifications[-1].id + 1
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed, count


def cli_seconds(args: list[str], repeat: int = 5) -> float:
    """Median wall time of a CLI command in a new process."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "scripts", *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed: {done.stderr}")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench(kind: str, n: int, workdir: Path, data: Path) -> dict[str, object]:
    with fresh_store(kind, workdir, "proj") as url:
        ledger = Ledger.open(url)
        with data.open("rb") as stream:
            import_lines(ledger, stream)
        assert not import_lines(ledger, [json.dumps(line) for line in PROMISE_LINES]).errors
        events = ledger.store.max_notification_id()
        views = workdir / f"views-{kind}.duckdb"
        raw_seconds, count = raw_read_decode(url)
        ours_seconds, result = timed(lambda: rebuild(ledger.store, views))
        assert result.events == count
        ledger.close()
        show = ["promise", "show", "p-ontime", "--json", "--store", url, "--views", str(views)]
        return {
            "store": kind,
            "events": events,
            "raw_read_decode_per_s": count / raw_seconds,
            "rebuild_events_per_s": count / ours_seconds,
            "ratio": raw_seconds / ours_seconds,
            "promise_show_s": cli_seconds(show),
            "promise_show_as_of_s": cli_seconds([*show, "--as-of", "2026-06-15T12:00:00Z"]),
            "team_show_s": cli_seconds(["team", "show", "delivery", "--json", "--store", url, "--views", str(views)]),
        }


def main() -> None:
    run_readings_benchmark("projection rebuild vs raw read+decode; show commands at N events", __doc__, bench)


if __name__ == "__main__":
    main()
