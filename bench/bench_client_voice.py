"""Benchmark: what the ``client_voice_shift`` source costs ``clientocracy signals`` at a million events.

    python -m bench.bench_client_voice [--feedback 100000] [--repeat 7] [--json]

The source reads the views' feedback alone (docs/brief.md §9: one statement for the whole company, then the
rule in Python), so the bench fills a views file's feedback table directly, in two shapes of the 10% of a
million events that are feedback (``bench_scale``'s mix): ``one-team`` (all of it one team's and one client's
complaints, every 3 minutes: bench_scale's store) and ``company`` (60 teams, 5,000 clients, two years; a
third of it ratings, a tenth naming only a promise). Timed: the source as of the last day, median of
``--repeat`` runs on a warm connection (wall and CPU seconds, DuckDB's threads included: on a shared machine
the CPU says what it costs), and the first run on a newly opened file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

from bench.bench_common import report
from projections.signals.client_voice import client_voice_shifts
from projections.view_store import connect, ensure_schema

SHAPES = {
    "one-team": """
        SELECT i, TIMESTAMP '2026-01-05' + i * INTERVAL 3 MINUTE AS at, 'f' || i, 'shoppers', 'complaint', 'app',
            '', NULL, 'delivery', NULL, TIMESTAMP '2026-01-05' + i * INTERVAL 3 MINUTE, NULL
        FROM range($n) t(i)""",
    "company": """
        SELECT i, TIMESTAMP '2025-01-06' + (hash(i) % (730 * 86400)) * INTERVAL 1 SECOND AS at, 'f' || i,
            'client-' || (hash(i + 1) % 5000), CASE WHEN i % 3 = 0 THEN 'rating' ELSE 'complaint' END, 'app', '',
            CASE WHEN i % 3 = 0 THEN (hash(i + 2) % 11)::DOUBLE END,
            CASE WHEN i % 10 <> 0 THEN 'team-' || (hash(i + 3) % 60) END,
            CASE WHEN i % 10 = 0 THEN 'p-' || (hash(i + 3) % 60) END, NULL, NULL
        FROM range($n) t(i)""",
}
PROMISES = """
INSERT INTO promise_history (position, business_at, promise, version, event, status, promisor, promisee)
SELECT i, TIMESTAMP '2025-01-01', 'p-' || i, 1, 'Agreed', 'agreed', 'team-' || i, 'client-' || i FROM range(60) t(i)
"""


def build(path: Path, shape: str, n: int) -> datetime:
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        con.execute(f"INSERT INTO feedback {SHAPES[shape]}", {"n": n})
        con.execute(PROMISES)
        last = con.execute("SELECT max(business_at) FROM feedback").fetchone()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    assert last is not None
    return last[0]


def bench(shape: str, n: int, repeat: int, workdir: Path) -> dict[str, object]:
    path = workdir / f"{shape}.duckdb"
    as_of = build(path, shape, n)
    started = time.perf_counter()
    con = connect(path)
    first = client_voice_shifts(con, as_of)
    cold = time.perf_counter() - started
    runs, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = client_voice_shifts(con, as_of)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    con.close()
    assert len(found) == len(first)
    return {"shape": shape, "feedback": n, "series": len({(s.subject_type, s.subject_key) for s in found}),
            "signals": len(found), "first_s": cold, "median_s": statistics.median(runs),
            "median_cpu_s": statistics.median(cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench(shape, args.feedback, args.repeat, Path(tmp)) for shape in SHAPES]
    loadavg = Path("/proc/loadavg")
    rows.append({"load_average_1_5_15": " ".join(loadavg.read_text().split()[:3]) if loadavg.exists() else ""})
    report(f"client_voice_shift source: {args.feedback:,} feedback rows", rows, args.json)


if __name__ == "__main__":
    main()
