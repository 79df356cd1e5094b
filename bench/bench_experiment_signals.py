"""Benchmark: the experiment signals (``experiment_srm``, ``experiment_guardrail_harmed``, ``experiment_ready``)
of one A/B experiment with N observations over D days, the split breaking on one day and mending on another.

The signals are raised at the observation that turned their condition, found by analysing each hour's end that
is over and, only in the hours at whose end an answer turned, observation by observation. Beside it, in the
same run: one ``experiment show`` of the whole experiment (its SQL aggregate and one analysis), and the number
of analyses that asking at every observation time would take. Reported: wall and CPU seconds of the three
sources from cold (nothing kept) with the analyses they ran, and the same again warm (kept until the next hour
with data or event).
Run: ``python -m bench.bench_experiment_signals [--n 20000] [--days 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

START = datetime(2026, 1, 1, tzinfo=UTC)


def fill(store: str, n: int, days: int, batch: int = 20_000) -> None:
    """Even arms except on day ``days // 3`` (control only: a mismatch) and ``days // 3 + 1`` (treatment only,
    with long waits on the guardrail); every unit a value of the primary metric and of the guardrail."""
    from domain import commands as c
    from domain.service.ledger import Ledger

    rng = np.random.default_rng(2026)
    ledger = Ledger.open(store)
    setup = [
        c.FormTeam(type="FormTeam", team="t", name="T", at=START),
        c.DefineMetric(type="DefineMetric", metric="m", name="m", unit="u", direction="higher_is_better", at=START),
        c.DefineMetric(type="DefineMetric", metric="wait", name="wait", unit="s", direction="lower_is_better",
                       at=START),
        c.ProposeExperiment(type="ProposeExperiment", experiment="big", team="t", hypothesis="h", metric="m",
                            design="ab", guardrails=["wait"], mde=0.01, at=START),
        c.StartExperiment(type="StartExperiment", experiment="big", at=START + timedelta(hours=1)),
    ]
    assert not ledger.execute(setup).rejected
    per_day, broken = n // days, days // 3
    commands: list[Any] = []
    for i in range(per_day * days):
        day, k = divmod(i, per_day)
        arm = "control" if day == broken else "treatment" if day == broken + 1 else ("control", "treatment")[k % 2]
        at = START + timedelta(days=day, hours=2, seconds=k * (20 * 3600 // per_day))
        slow = 5.0 if day == broken + 1 else 0.0
        commands += [c.RecordObservation(type="RecordObservation", experiment="big", arm=arm,
                                         value=float(rng.normal(50, 10)), at=at),
                     c.RecordObservation(type="RecordObservation", experiment="big", arm=arm, metric="wait",
                                         value=float(rng.normal(10 + slow, 2)), at=at)]
        if len(commands) >= batch:
            assert not ledger.execute(commands).rejected
            commands = []
    if commands:
        assert not ledger.execute(commands).rejected
    ledger.close()


def cpu_and_wall(action: Callable[[], Any]) -> tuple[float, float, Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=20)
    args = parser.parse_args()
    from domain.service.ledger import Ledger
    from projections.experiments import experiments
    from projections.signals import experiment_timeline
    from projections.signals.experiment_guardrail import experiment_guardrail_harmed
    from projections.signals.experiment_ready import experiment_ready
    from projections.signals.experiment_srm import experiment_srm
    from projections.view_store import connect
    from projections.views_file import catch_up

    with tempfile.TemporaryDirectory() as tmp:
        store, views = f"sqlite:///{Path(tmp) / 'ledger.db'}", Path(tmp) / "views.duckdb"
        fill(store, args.n, args.days)
        ledger = Ledger.open(store)
        catch_up(ledger.store, views)
        ledger.close()
        con = connect(views)
        as_of = (START + timedelta(days=args.days + 1)).replace(tzinfo=None)  # the views hold naive UTC
        (times,) = con.execute("SELECT count(DISTINCT business_at) FROM observations").fetchone() or (0,)
        one, one_cpu, _ = cpu_and_wall(lambda: experiments(con, as_of, "big"))
        runs = {"n": 0}
        original = experiment_timeline.analyse

        def counted(*a: Any, **k: Any) -> Any:
            runs["n"] += 1
            return original(*a, **k)

        experiment_timeline.analyse = counted  # type: ignore[assignment]

        def every_kind() -> list[Any]:
            return [s for source in (experiment_srm, experiment_guardrail_harmed, experiment_ready)
                    for s in source(con, as_of)]

        cold, cold_cpu, found = cpu_and_wall(every_kind)
        cold_runs = runs["n"]
        warm, warm_cpu, _ = cpu_and_wall(every_kind)
        con.close()
    print(json.dumps({
        "observations": args.n * 2, "days": args.days, "observation_times": times,
        "load_average": os.getloadavg()[0], "signals": sorted((s.kind, s.raised_at.isoformat()) for s in found),
        "one_analysis_show": {"wall_s": round(one, 4), "cpu_s": round(one_cpu, 4)},
        "analyses_at_every_observation_time": times,
        "signals_cold": {"wall_s": round(cold, 4), "cpu_s": round(cold_cpu, 4), "analyses": cold_runs},
        "signals_warm": {"wall_s": round(warm, 4), "cpu_s": round(warm_cpu, 4), "analyses": runs["n"] - cold_runs},
    }, indent=1))


if __name__ == "__main__":
    main()
