"""The API read benchmark: `GET /api/teams/{key}` on a store of N events, ``clients`` concurrent keep-alive
clients on loopback, beside `GET /api/health` of the same server (the framework's ceiling) as a ratio.

Measured three times: repeated reads (answered from the per-position cache, as on a server between writes), reads
with a distinct ``as_of`` each (every one a real query of the views; the moments, seconds apart on one day, see the
same facts, so the server plans only the open complaints' clocks for each: ``team_view``'s ``remember``), and those
again while a reading dated now is posted every 0.1 s (each write a new views position: the kept parts name the
facts they were read from, which a write dated after the moments asked does not change).
Then, in this process, the CPU time of one team answer from the same views file, as of a new time each as the
server answers it and whole (every statement planned anew, as for the first moment after a new fact), and as
it stands now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.api_client import load, seed, server
from bench.bench_common import fresh_store
from domain.service.ledger import Ledger
from scripts.import_file import import_lines


def big_store_extras() -> list[dict[str, Any]]:
    """Complaints and economics, so the team answer has every part to compute."""
    feedback = [{"type": "RecordFeedback", "feedback_id": f"f{i}", "client": "diner", "kind": "complaint",
                 "channel": "app", "text": f"Late order {i}", "rating": i % 11, "team": "kitchen",
                 "occurred_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00Z"} for i in range(300)]
    money = [{"type": "PostLedgerEntry", "team": "kitchen", "period": f"2026-{m:02d}", "kind": kind,
              "amount": amount, "at": "2025-12-01T00:00:00Z"}
             for m in range(1, 13) for kind, amount in (("revenue", 1000.0 * m), ("cost", 700.0 * m))]
    return feedback + money


def repeat(path: str) -> Iterator[str]:
    while True:
        yield path


def distinct_as_of(path: str, day: str = "2026-06-01") -> Iterator[str]:
    second = 0
    while True:
        second += 1
        yield f"{path}?as_of={day}T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


def spread_as_of(path: str, start: datetime = datetime(2025, 12, 1)) -> Iterator[str]:
    """As of a different day (and second) each request, over about a year: moments between which a team's facts
    change, as a retrospective's date picker asks (``distinct_as_of`` stays within one day)."""
    count = 0
    while True:
        count += 1
        moment = start + timedelta(days=count * 37 % 380, seconds=count * 7919 % 86_400)
        yield f"{path}?as_of={moment:%Y-%m-%dT%H:%M:%S}Z"


def writing_now(base: str, token: str, every: float, stop: threading.Event) -> int:
    """Post one reading dated now every ``every`` seconds until ``stop``: the store moves on while as-of reads
    of the past go on (their kept parts hold across views positions). The readings posted."""
    posted = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        while not stop.wait(every):
            answer = http.post("/api/commands", json=[{"type": "RecordReading", "metric": "ontime", "value": 95.0}])
            answer.raise_for_status()
            posted += sum(r["status"] == "accepted" for r in answer.json()["results"])
    return posted


def answer_cpu_ms(views: Path, rounds: int = 5, answers: int = 20) -> dict[str, float]:
    """CPU milliseconds of one team answer in this process from the server's views file: as of a new time each,
    as the server answers it (the part judged at no moment kept per latest fact time: ``team_view``'s
    ``remember``) and whole (every statement planned and run anew: the first moment after a new fact), and as
    it stands now; the best of ``rounds`` (the machine is shared). With the server's DuckDB threads."""
    import duckdb

    from domain.service.answers import AnswerCache
    from projections import queries
    from projections.timeline import FOREVER
    from projections.view_store import SERVED_THREADS

    con = duckdb.connect(str(views), read_only=True)
    con.execute(f"SET threads = {SERVED_THREADS}")  # as the server reads its views
    cache = AnswerCache(1000)
    options: dict[str, dict[str, Any]] = {
        "as_of": {"remember": lambda question, compute: cache.answer(question, 0, 0, compute)},
        "as_of_whole": {}, "now": {}}
    best = dict.fromkeys(options, float("inf"))
    moments = (datetime(2026, 6, 1) + timedelta(seconds=second) for second in range(1, 10**6))
    try:
        queries.team_view(con, "kitchen", FOREVER)  # warm: the file's pages read once
        for _ in range(rounds):
            for name, kept in options.items():
                started = time.process_time()
                for _ in range(answers):
                    queries.team_view(con, "kitchen", FOREVER if name == "now" else next(moments), **kept)
                best[name] = min(best[name], 1000 * (time.process_time() - started) / answers)
    finally:
        con.close()
    return best


def bench_reads(kind: str, workdir: Path, data: Path, clients: int, seconds: float) -> dict[str, Any]:
    """The read benchmark on a fresh store of ``kind`` holding the team, its extras and the readings in ``data``."""
    with fresh_store(kind, workdir, "reads") as url:
        token = seed(url, big_store_extras())
        ledger = Ledger.open(url)
        with data.open("rb") as stream:
            import_lines(ledger, stream)
        events = int(ledger.store.max_notification_id() or 0)
        ledger.close()
        with server(url, workdir / f"views-{kind}.duckdb", workdir / f"server-{kind}.log") as base:
            load(base, token, repeat("/api/teams/kitchen"), clients, 2)  # warm up: views built, queries compiled
            health = load(base, token, repeat("/api/health"), clients, seconds)
            cached = load(base, token, repeat("/api/teams/kitchen"), clients, seconds)
            queried = load(base, token, distinct_as_of("/api/teams/kitchen"), clients, seconds)
            spread = load(base, token, spread_as_of("/api/teams/kitchen"), clients, seconds)
            stop, posted = threading.Event(), [0]
            writer = threading.Thread(target=lambda: posted.__setitem__(0, writing_now(base, token, 0.1, stop)))
            writer.start()
            try:
                during = load(base, token, distinct_as_of("/api/teams/kitchen", "2026-07-01"), clients, seconds)
            finally:
                stop.set()
                writer.join()
    cpu = answer_cpu_ms(workdir / f"views-{kind}.duckdb")
    return {
        "store": kind, "events": events, "clients": clients,
        "health_req_per_s": health["requests_per_s"], "health_p50_ms": health["p50_ms"],
        "team_req_per_s": cached["requests_per_s"], "team_p50_ms": cached["p50_ms"], "team_p99_ms": cached["p99_ms"],
        "team_vs_health": cached["requests_per_s"] / health["requests_per_s"],
        "team_as_of_req_per_s": queried["requests_per_s"], "team_as_of_p50_ms": queried["p50_ms"],
        "team_as_of_p99_ms": queried["p99_ms"],
        "team_as_of_days_p50_ms": spread["p50_ms"], "team_as_of_days_p99_ms": spread["p99_ms"],
        "team_as_of_writing_req_per_s": during["requests_per_s"], "team_as_of_writing_p50_ms": during["p50_ms"],
        "team_as_of_writing_p99_ms": during["p99_ms"], "readings_written_meanwhile": posted[0],
        "team_as_of_answer_cpu_ms": cpu["as_of"], "team_as_of_whole_answer_cpu_ms": cpu["as_of_whole"],
        "team_now_answer_cpu_ms": cpu["now"],
        "failures": int(health["failures"] + cached["failures"] + queried["failures"] + spread["failures"]
                        + during["failures"]),
    }
