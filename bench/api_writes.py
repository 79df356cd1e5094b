"""The API write benchmarks: `POST /api/commands` with arrays of 500 commands, by one client and by several at
once, each run on a fresh store of the same kind; ``rounds`` rounds interleaved (the shared machine's load swings),
the median of each round's ratio reported.

- readings: the readings posted vs `clientocracy import` of the same readings (in process, as ``bench_import``
  runs it);
- observations: N ``RecordObservation`` of one started experiment vs the same number of readings, both through
  the API (issue 22 §1: observations import at the rate of readings, through the API in arrays as well). Every
  observation is judged by its experiment, which it relies on without changing (``uow.rely_on``).

Beside each wall time, the server process's own CPU seconds (PostgreSQL's are not counted).
"""

from __future__ import annotations

import json
import os
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.api_client import cpu_seconds, post_arrays, seed, serving
from bench.bench_common import fresh_store, timed
from domain.service.ledger import Ledger
from scripts.import_file import import_lines

BATCH = 500
ARMS = ("control", "treatment")
EXPERIMENT: list[dict[str, Any]] = [
    {"type": "ProposeExperiment", "experiment": "obs", "team": "kitchen", "hypothesis": "Warmer plates",
     "metric": "ontime", "design": "ab", "arms": list(ARMS), "at": "2025-12-02T00:00:00Z"},
    {"type": "StartExperiment", "experiment": "obs", "at": "2025-12-03T00:00:00Z"},
]
"""The started experiment the observations are of (its team's lead posts them)."""


def readings(data: Path) -> list[dict[str, Any]]:
    """The readings of a ``write_readings`` file (its metric is seeded), a second apart from 80 days ago: the API
    takes readings and observations backdated by at most 90 days (``domain.service.business_time_policy``)."""
    start = datetime.now(UTC) - timedelta(days=80)
    return [{**json.loads(line), "at": (start + timedelta(seconds=i)).isoformat().replace("+00:00", "Z")}
            for i, line in enumerate(data.read_text().splitlines()[1:])]


def observations(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As many observations of the experiment as there are readings in ``lines``, at the same business times."""
    return [{"type": "RecordObservation", "id": f"bench-o{i}", "experiment": "obs", "arm": ARMS[i % 2],
             "value": line["value"], "at": line["at"]} for i, line in enumerate(lines)]


def cli_import_seconds(kind: str, workdir: Path, lines: list[dict[str, Any]]) -> float:
    with fresh_store(kind, workdir, "cli") as url:
        seed(url)
        ledger = Ledger.open(url)
        text = "".join(json.dumps(line) + "\n" for line in lines).encode().splitlines(keepends=True)
        seconds, summary = timed(lambda: import_lines(ledger, text))
        assert summary.accepted == len(lines) and not summary.errors
        ledger.close()
    return seconds


def api_run(kind: str, workdir: Path, lines: list[dict[str, Any]], clients: int,
            extra: list[dict[str, Any]] | None = None) -> dict[str, float]:
    """``lines`` posted in arrays of ``BATCH`` by ``clients`` clients to a fresh server: wall and server CPU
    seconds (every command accepted)."""
    with fresh_store(kind, workdir, f"api{clients}") as url:
        token = seed(url, extra)
        views, log = workdir / f"views-w{clients}-{kind}.duckdb", workdir / f"server-w-{kind}.log"
        with serving(url, views, log) as (base, pid):
            arrays = [lines[start:start + BATCH] for start in range(0, len(lines), BATCH)]
            before = cpu_seconds(pid)
            seconds, accepted = timed(lambda: post_arrays(base, token, arrays, clients))
            cpu = cpu_seconds(pid) - before
            assert accepted == len(lines), accepted
    return {"wall": seconds, "server_cpu": cpu}


def bench_writes(kind: str, data: Path, writers: tuple[int, ...] = (1, 2), rounds: int = 3,
                 workdir: Path | None = None) -> dict[str, Any]:
    """The CLI import of the readings, then the same readings posted by one client and by several at once."""
    workdir = workdir or data.parent
    lines = readings(data)
    cli_rates: list[float] = []
    api: dict[int, list[dict[str, float]]] = {clients: [] for clients in writers}
    ratios: dict[int, list[float]] = {clients: [] for clients in writers}
    for _ in range(rounds):
        cli = cli_import_seconds(kind, workdir, lines)
        cli_rates.append(len(lines) / cli)
        for clients in writers:
            run = api_run(kind, workdir, lines, clients)
            api[clients].append(run)
            ratios[clients].append(cli / run["wall"])
    row: dict[str, Any] = {"store": kind, "readings": len(lines), "rounds": rounds,
                           "cli_import_per_s": statistics.median(cli_rates)}
    for clients in writers:
        row[f"api_{clients}_client_per_s"] = statistics.median([len(lines) / r["wall"] for r in api[clients]])
        row[f"api_{clients}_client_server_cpu_s"] = statistics.median([r["server_cpu"] for r in api[clients]])
        row[f"ratio_{clients}_client_median"] = statistics.median(ratios[clients])
        row[f"ratio_{clients}_client_range"] = f"{min(ratios[clients]):.2f}-{max(ratios[clients]):.2f}"
    row["load_avg_1m"] = os.getloadavg()[0]
    return row


def observations_vs_readings(kind: str, data: Path, writers: tuple[int, ...] = (1, 2), rounds: int = 3,
                       workdir: Path | None = None) -> dict[str, Any]:
    """N observations and N readings, each posted by one client and by several at once, interleaved; the ratio
    is observations per second over readings per second in the same round (1.0: the rate of readings)."""
    workdir = workdir or data.parent
    read = readings(data)
    observed = observations(read)
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    ratios: dict[int, list[float]] = {clients: [] for clients in writers}
    for _ in range(rounds):
        for clients in writers:
            r = api_run(kind, workdir, read, clients)
            o = api_run(kind, workdir, observed, clients, EXPERIMENT)
            runs.setdefault(("readings", clients), []).append(r)
            runs.setdefault(("observations", clients), []).append(o)
            ratios[clients].append(r["wall"] / o["wall"])
    row: dict[str, Any] = {"store": kind, "n": len(read), "rounds": rounds}
    for clients in writers:
        for what in ("readings", "observations"):
            done = runs[(what, clients)]
            row[f"api_{clients}_client_{what}_per_s"] = statistics.median([len(read) / r["wall"] for r in done])
            row[f"api_{clients}_client_{what}_server_cpu_s"] = statistics.median([r["server_cpu"] for r in done])
        row[f"ratio_{clients}_client_median"] = statistics.median(ratios[clients])
        row[f"ratio_{clients}_client_range"] = f"{min(ratios[clients]):.2f}-{max(ratios[clients]):.2f}"
    row["load_avg_1m"] = os.getloadavg()[0]
    return row
