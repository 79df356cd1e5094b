"""Benchmark: importing N observations of one experiment against N readings, and 2N observations, same run;
and loading an aggregate with a long history (snapshots) against a short one.

    python -m bench.bench_observations [--n 1000000] [--history 100000] [--json]

Each import is `clientocracy import`'s own path (``import_lines``: parse, validate, judge, record) on a new
SQLite store, in a process of its own, so its peak RSS is its own. The observations are those of one 3-arm
experiment; readings those of one metric. Linear means 2N observations take about twice N. On a shared
machine each phase's CPU seconds (its own process's) are reported beside its wall time: they do not depend
on what else runs meanwhile.
The load compares ``repository.get`` of a team with ``--history`` events and one with 100 (both from their
latest snapshot), beside replaying the long one's every event (what a load cost without snapshots).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.bench_common import report, timed, write_readings

ARMS = ("control", "treatment", "variant-b")
START = datetime(2026, 1, 1, tzinfo=UTC)


def write_observations(path: Path, n: int) -> None:
    """A team, a metric, a started 3-arm experiment, and N observations of it (one JSONL command a line)."""
    setup: list[dict[str, Any]] = [
        {"type": "FormTeam", "id": "b-team", "team": "t", "name": "T"},
        {"type": "DefineMetric", "id": "b-metric", "metric": "m", "name": "m", "unit": "u",
         "direction": "higher_is_better"},
        {"type": "ProposeExperiment", "id": "b-exp", "experiment": "big", "team": "t", "hypothesis": "h",
         "metric": "m", "design": "ab", "arms": list(ARMS)},
        {"type": "StartExperiment", "id": "b-start", "experiment": "big"},
    ]
    with path.open("w") as out:
        for line in setup:
            out.write(json.dumps({**line, "at": START.isoformat()}) + "\n")
        for i in range(n):
            at = START + timedelta(hours=1, seconds=i)
            out.write(json.dumps({"type": "RecordObservation", "id": f"b-o{i}", "experiment": "big",
                                  "arm": ARMS[i % 3], "value": 50 + (i * 7919) % 200 / 10,
                                  "at": at.isoformat()}) + "\n")


def import_phase(store: str, data: str) -> dict[str, Any]:
    """One import in this process: seconds, lines accepted, peak RSS."""
    from domain.service.ledger import Ledger
    from scripts.import_file import import_lines

    ledger = Ledger.open(store)
    before = resource.getrusage(resource.RUSAGE_SELF)
    with open(data, "rb") as stream:
        seconds, summary = timed(lambda: import_lines(ledger, stream))
    after = resource.getrusage(resource.RUSAGE_SELF)
    ledger.close()
    assert not summary.errors, summary.errors[:3]
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": seconds, "cpu_seconds": cpu, "accepted": summary.accepted, "peak_rss_mb": after.ru_maxrss / 1024}


def imported(workdir: Path, name: str, data: Path) -> dict[str, Any]:
    store = f"sqlite:///{workdir / (name + '.db')}"
    done = subprocess.run([sys.executable, "-m", "bench.bench_observations", "--phase", store, str(data)],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def history_loads(workdir: Path, history: int, runs: int = 20) -> dict[str, Any]:
    """Load times of a team with ``history`` events and one with 100, and a full replay of the long one."""
    from domain import commands as c
    from domain.base import key_id
    from domain.service.ledger import Ledger
    from domain.team import Team

    ledger = Ledger.open(f"sqlite:///{workdir / 'history.db'}")

    def churn(team: str, events: int) -> None:
        ledger.execute([c.FormTeam(type="FormTeam", team=team, name=team, at=START)])
        pairs = [(c.AddMember(type="AddMember", team=team, person="p", role="r", at=START),
                  c.RemoveMember(type="RemoveMember", team=team, person="p", at=START)) for _ in range(events // 2)]
        flat = [cmd for pair in pairs for cmd in pair][: events - 1]
        for lo in range(0, len(flat), 2000):
            assert not ledger.execute(flat[lo:lo + 2000]).rejected

    churn("long", history)
    churn("short", 100)

    def median_load(team: str) -> float:
        return statistics.median(timed(lambda: ledger.repository.get(key_id(Team.KIND, team)))[0] for _ in range(runs))

    long_id = key_id(Team.KIND, "long")
    replay = statistics.median(timed(lambda: ledger.state(Team, "long"))[0] for _ in range(3))
    result = {"history_events": ledger.repository.get(long_id).version,
              "load_long_ms": 1000 * median_load("long"), "load_short_ms": 1000 * median_load("short"),
              "replay_all_events_ms": 1000 * replay}
    ledger.close()
    return result


def main() -> None:
    if sys.argv[1:2] == ["--phase"]:
        print(json.dumps(import_phase(sys.argv[2], sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        files = {"readings": workdir / "readings.jsonl", "observations": workdir / "obs.jsonl",
                 "observations_2n": workdir / "obs2.jsonl"}
        write_readings(files["readings"], args.n)
        write_observations(files["observations"], args.n)
        write_observations(files["observations_2n"], 2 * args.n)
        started = time.perf_counter()
        runs = {name: imported(workdir, name, path) for name, path in files.items()}
        for path in files.values():
            path.unlink()
        loads = history_loads(workdir, args.history)
    readings, one, two = runs["readings"], runs["observations"], runs["observations_2n"]
    row = {
        "n": args.n, "readings_s": readings["seconds"], "observations_s": one["seconds"],
        "observations_2n_s": two["seconds"], "ratio_obs_to_readings": one["seconds"] / readings["seconds"],
        "ratio_2n_to_n": two["seconds"] / one["seconds"], "readings_cpu_s": readings["cpu_seconds"],
        "observations_cpu_s": one["cpu_seconds"], "observations_2n_cpu_s": two["cpu_seconds"],
        "cpu_ratio_obs_to_readings": one["cpu_seconds"] / readings["cpu_seconds"],
        "cpu_ratio_2n_to_n": two["cpu_seconds"] / one["cpu_seconds"], "readings_rss_mb": readings["peak_rss_mb"],
        "observations_rss_mb": one["peak_rss_mb"], "observations_2n_rss_mb": two["peak_rss_mb"],
        **loads, "total_s": time.perf_counter() - started,
    }
    report("observations vs readings import (SQLite), and long-history loads", [row], args.json)


if __name__ == "__main__":
    main()
