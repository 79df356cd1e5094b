"""Shared pieces of the benchmarks: fresh stores, a raw-library baseline, timing and reporting."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.stores.url import store_environment

POSTGRES = os.environ.get("CLIENTOCRACY_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


class RawReading(Aggregate):
    """The raw library's own aggregate, the baseline every ratio is measured against."""

    @event("Recorded")
    def __init__(self, metric: str, value: float) -> None:
        self.metric = metric
        self.value = value


@contextmanager
def fresh_store(kind: str, workdir: Path, name: str) -> Iterator[str]:
    """A store URL for an empty SQLite file or an empty PostgreSQL schema, dropped afterwards."""
    if kind == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    try:
        yield f"{POSTGRES}?schema={schema}"
    finally:
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def raw_application(store_url: str) -> Application:
    env = store_environment(store_url)
    env.pop("PROCESS_RECORDER_TOPIC")
    return Application(env=env)


def raw_append(store_url: str, n: int, batch: int = 1000) -> float:
    """Seconds for the raw library to append ``n`` new aggregates, ``batch`` per save()."""
    app = raw_application(store_url)
    started = time.perf_counter()
    for start in range(0, n, batch):
        app.save(*[RawReading(metric="m", value=float(i)) for i in range(start, min(start + batch, n))])
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def write_readings(path: Path, n: int) -> None:
    """A metric and N readings of it, one JSONL command per line, every line with an id."""
    with path.open("w") as out:
        out.write(json.dumps({"type": "DefineMetric", "id": "bench-metric", "metric": "ontime", "name": "On time",
                              "unit": "%", "direction": "higher_is_better", "at": "2026-01-01T00:00:00Z"}) + "\n")
        for i in range(n):
            out.write(json.dumps({
                "type": "RecordReading", "id": f"bench-r{i}", "metric": "ontime", "value": 80 + (i * 7919) % 200 / 10,
                "at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            }) + "\n")


def run_readings_benchmark(title: str, description: str | None,
                           bench: Callable[[str, int, Path, Path], dict[str, Any]]) -> None:
    """Command line of the benchmarks over a file of N readings: one row per store kind."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data = workdir / "readings.jsonl"
        write_readings(data, args.n)
        rows = [bench(kind, args.n, workdir, data) for kind in args.stores.split(",")]
    report(title, rows, args.json)


def report(title: str, rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"benchmark": title, "results": rows}, indent=2))
        return
    print(f"\n{title}")
    for row in rows:
        print("  " + ", ".join(f"{k}={v:,.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
