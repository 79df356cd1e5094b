"""Benchmark: `experiment show --json` on one experiment with N observations in 3 arms.

Beside it, in the same run, scipy's ``ttest_ind`` (Welch) over the same raw arrays — in this process
(arrays in memory) and as a fresh process that loads them from .npy files, so both sides pay a start.
The store is filled through the ledger (validated commands, batches of ``--batch``), then projected
once; the show is timed as a user runs it (process start, catch-up check, one SQL aggregate, the
statistics, JSON). Run: ``python -m bench.bench_experiments [--n 1000000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ARMS = ("control", "treatment", "variant-b")
CLI = [sys.executable, "-m", "scripts"]


def fill(store: str, n: int, batch: int) -> dict[str, np.ndarray]:
    from domain import commands as c
    from domain.service.ledger import Ledger

    rng = np.random.default_rng(2026)
    arm_of = rng.integers(0, 3, n)
    values = rng.normal(50.0, 10.0, n) + np.array([0.0, 0.05, -0.02])[arm_of]
    ledger = Ledger.open(store)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    setup = [
        c.FormTeam(type="FormTeam", team="t", name="T", at=start),
        c.DefineMetric(type="DefineMetric", metric="m", name="m", unit="u", direction="higher_is_better", at=start),
        c.ProposeExperiment(type="ProposeExperiment", experiment="big", team="t", hypothesis="h", metric="m",
                            design="ab", arms=list(ARMS), at=start),
        c.StartExperiment(type="StartExperiment", experiment="big", at=start + timedelta(hours=1)),
    ]
    assert not ledger.execute(setup).rejected
    at = start + timedelta(hours=2)
    for lo in range(0, n, batch):
        commands = [c.RecordObservation(type="RecordObservation", experiment="big", arm=ARMS[int(a)], value=float(v),
                                        at=at) for a, v in zip(arm_of[lo:lo + batch], values[lo:lo + batch],
                                                               strict=True)]
        result = ledger.execute(commands)
        assert not result.rejected, result.rejected[:3]
        print(f"  recorded {min(lo + batch, n):,} observations", file=sys.stderr, flush=True)
    ledger.close()
    return {arm: values[arm_of == i] for i, arm in enumerate(ARMS)}


def wall(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


SCIPY_PROCESS = """
import sys, numpy as np
from scipy import stats
arrays = [np.load(p) for p in sys.argv[1:]]
for other in arrays[1:]:
    stats.ttest_ind(other, arrays[0], equal_var=False)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store, views = f"sqlite:///{work / 'ledger.db'}", str(work / "views.duckdb")
        fill_seconds, arrays = _timed(lambda: fill(store, args.n, args.batch))
        project_seconds, _ = wall([*CLI, "project", "--store", store, "--views", views])
        show = [*CLI, "experiment", "show", "big", "--json", "--store", store, "--views", views]
        shows = [wall(show) for _ in range(args.runs)]
        answer = json.loads(shows[-1][1])
        in_process = []
        for _ in range(args.runs):
            seconds, _ = _timed(lambda: [__import__("scipy.stats").stats.ttest_ind(arrays[a], arrays["control"],
                                                                                   equal_var=False)
                                         for a in ARMS[1:]])
            in_process.append(seconds)
        paths = []
        for arm, values in arrays.items():
            paths.append(str(work / f"{arm}.npy"))
            np.save(paths[-1], values)
        scipy_process = [wall([sys.executable, "-c", SCIPY_PROCESS, *paths])[0] for _ in range(args.runs)]
    from scipy import stats

    expected = stats.ttest_ind(arrays["treatment"], arrays["control"], equal_var=False).pvalue
    result = {
        "observations": args.n, "arms": len(ARMS), "fill_seconds": round(fill_seconds, 1),
        "project_seconds": round(project_seconds, 1),
        "show_wall_median_s": round(statistics.median(s for s, _ in shows), 3),
        "show_wall_runs_s": [round(s, 3) for s, _ in shows],
        "scipy_ttest_in_process_median_s": round(statistics.median(in_process), 4),
        "scipy_process_with_start_median_s": round(statistics.median(scipy_process), 3),
        "p_value_ours": answer["p_value"], "p_value_scipy": float(expected),
        "arms_n": [a["n"] for a in answer["arms"]],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:36} {value}")


def _timed(action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


if __name__ == "__main__":
    main()
