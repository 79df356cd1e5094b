"""Benchmark at scale: a million events, and how long a user waits for each command.

    python -m bench.bench_scale [--n 1000000] [--stores sqlite,postgres] [--json] [--workdir DIR]

``--workdir`` keeps the stores for later runs: the SQLite file there, the PostgreSQL one as the schema ``scale_<n>``.

The store is ``bench.scale_store``'s: one team and its promise, readings, complaints with sealed texts and
resolutions, written in the stored form the import writes.

Measured, each in a new process as a user runs it: ``project --rebuild`` (wall time and peak
RSS from ``RUSAGE_CHILDREN``), ``verify``, and the median of several runs of ``promise show``,
``team show``, ``client show``, ``signals --json`` (the whole company's) and their ``--as-of`` forms (and the
signals' own CPU inside a process, ``bench_signals``); beside
them the raw library's read+decode of the same store (``select_notifications`` + ``mapper.to_domain_event``) in
the same run.

The product is compiled to bytecode first (``bench.bytecode``), as installing it does: a checkout without current
bytecode, where Python may not write it, would have every command compile its modules again. A PostgreSQL store
is vacuumed and analysed once built (``scale_store.vacuum_analyze``), as after any bulk load, so no autovacuum of
its million fresh rows runs beside the timed commands.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_common import report
from bench.bench_projections import raw_read_decode
from bench.bench_signals import signals_in_process
from bench.bytecode import compile_product
from bench.scale_store import scale_store
from domain.service.ledger import Ledger

AS_OF = "2026-06-15T12:00:00Z"

MEASURE_CHILD = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "s = time.perf_counter() - t\n"
    "sys.stderr.buffer.write(done.stderr)\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(done.returncode, s, r.ru_maxrss, r.ru_utime + r.ru_stime)\n"
)


def run_cli(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system, its worker processes included) of
    one CLI command in a new process. CPU time says what the command costs when the shared
    machine's wall time says mostly how busy the others were.

    A fresh wrapper process runs it, so ``RUSAGE_CHILDREN`` there covers exactly that command.
    """
    done = subprocess.run([sys.executable, "-c", MEASURE_CHILD, sys.executable, "-m", "scripts", *args],
                          capture_output=True, text=True)
    code, seconds, max_rss_kb, cpu = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{args} failed: {done.stderr}")
    return float(seconds), int(max_rss_kb) / 1024, float(cpu)


def median_cli(args: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of several runs."""
    runs = [run_cli(args) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[2] for r in runs)


def bench(kind: str, n: int, workdir: Path, repeat: int, reuse: bool) -> dict[str, object]:
    with scale_store(kind, workdir, n, reuse) as (url, build_seconds):
        ledger = Ledger.open(url)
        events = ledger.store.max_notification_id()
        ledger.close()
        raw_cpu = time.process_time()
        raw_seconds, count = raw_read_decode(url, batch=5000)
        raw_cpu = time.process_time() - raw_cpu
        views = workdir / f"views-{kind}.duckdb"
        where = ["--store", url, "--views", str(views)]
        rebuild_seconds, rebuild_rss, rebuild_cpu = run_cli(["project", "--rebuild", *where])
        verify_seconds, verify_rss, verify_cpu = run_cli(["verify", "--store", url])
        promise = ["promise", "show", "p-ontime", "--json", *where]
        team = ["team", "show", "delivery", "--json", *where]
        client = ["client", "show", "shoppers", "--json", *where]  # every complaint is this client's
        signals = ["signals", "--json", *where]  # the whole company's, as of now and as of AS_OF
        row: dict[str, object] = {
            "store": kind,
            "events": events,
            "build_s": build_seconds,
            "raw_read_decode_s": raw_seconds,
            "raw_read_decode_cpu_s": raw_cpu,
            "raw_read_decode_per_s": count / raw_seconds,
            "rebuild_s": rebuild_seconds,
            "rebuild_cpu_s": rebuild_cpu,
            "rebuild_per_s": count / rebuild_seconds,
            "rebuild_vs_raw": raw_seconds / rebuild_seconds,
            "rebuild_peak_rss_mb": rebuild_rss,
            "verify_s": verify_seconds,
            "verify_cpu_s": verify_cpu,
            "verify_peak_rss_mb": verify_rss,
        }
        for name, args in (("promise_show", promise), ("promise_show_as_of", [*promise, "--as-of", AS_OF]),
                           ("team_show", team), ("team_show_as_of", [*team, "--as-of", AS_OF]),
                           ("client_show", client), ("client_show_as_of", [*client, "--as-of", AS_OF]),
                           ("signals", signals), ("signals_as_of", [*signals, "--as-of", AS_OF])):
            row[f"{name}_s"], row[f"{name}_cpu_s"] = median_cli(args, repeat)
        row.update({f"in_process_{k}": v for k, v in signals_in_process(views).items()})  # the signals' own part
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each show command (the median is shown)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workdir", type=Path, help="keep the SQLite store here (and the PostgreSQL"
                        " one as schema scale_<n>) and reuse it in later runs")
    args = parser.parse_args()
    if not compile_product():
        raise SystemExit("the product's bytecode could not be written: the commands would compile it each run")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        rows = [bench(kind, args.n, workdir, args.repeat, args.workdir is not None)
                for kind in args.stores.split(",")]
    loadavg = Path("/proc/loadavg")
    load = loadavg.read_text().split()[:3] if loadavg.exists() else []
    rows.append({"load_average_1_5_15": " ".join(load)})
    report(f"scale: {args.n:,} events", rows, args.json)


if __name__ == "__main__":
    main()
