"""Benchmark: the HTTP API of a real `clientocracy serve` process, beside its own baselines, same run.

    python -m bench.bench_api [--n 100000] [--stores sqlite,postgres] [--clients 16] [--seconds 10] [--json]

1. `GET /api/teams/{key}` on a store of N events, `--clients` concurrent keep-alive clients on
   loopback: p50/p99 latency and requests/s, beside `GET /api/health` of the same server (the
   framework's ceiling) as a ratio. Measured twice: repeated reads (answered from the per-position
   cache, as on a server between writes) and reads with a distinct `as_of` each (every one a real
   query of the views). Then, in this process, the CPU time of one team answer from the same views file,
   as of a new time each and as it stands now.
2. `POST /api/commands` with arrays of 500 readings vs `clientocracy import` of the same readings
   (in process, as `bench_import` runs it) on a fresh store of the same kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.bench_common import fresh_store, report, timed, write_readings
from domain.commands import parse_command
from domain.service.ledger import Ledger
from domain.service.tokens import issue_token
from scripts.import_file import import_lines

TEAM: list[dict[str, Any]] = [
    {"type": "RegisterPerson", "person": "ann", "name": "Ann"},
    {"type": "FormTeam", "team": "kitchen", "name": "Kitchen"},
    {"type": "AddMember", "team": "kitchen", "person": "ann", "role": "chef", "lead": True},
    {"type": "IdentifyClient", "client": "diner", "name": "Diner", "kind": "external"},
    {"type": "DefineMetric", "metric": "ontime", "name": "On time", "unit": "%", "direction": "higher_is_better"},
    {"type": "ProposePromise", "promise": "p", "promisor": "kitchen", "promisee": "diner", "statement": "On time",
     "metric": "ontime", "target": 90, "period": "week"},
    {"type": "AgreePromise", "promise": "p"},
]


def seed(url: str, extra: list[dict[str, Any]] | None = None) -> str:
    """The team, its promise and ``extra`` commands (before the readings); a write token for its lead."""
    ledger = Ledger.open(url)
    try:
        lines = [{**line, "at": "2025-12-01T00:00:00Z"} for line in TEAM] + (extra or [])
        result = ledger.execute([parse_command(json.dumps(line)) for line in lines])
        assert not result.rejected and not result.forbidden, result
        return issue_token(ledger, "ann").token
    finally:
        ledger.close()


def big_store_extras() -> list[dict[str, Any]]:
    """Complaints and economics, so the team answer has every part to compute."""
    feedback = [{"type": "RecordFeedback", "feedback_id": f"f{i}", "client": "diner", "kind": "complaint",
                 "channel": "app", "text": f"Late order {i}", "rating": i % 11, "team": "kitchen",
                 "occurred_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00Z"} for i in range(300)]
    money = [{"type": "PostLedgerEntry", "team": "kitchen", "period": f"2026-{m:02d}", "kind": kind,
              "amount": amount, "at": "2025-12-01T00:00:00Z"}
             for m in range(1, 13) for kind, amount in (("revenue", 1000.0 * m), ("cost", 700.0 * m))]
    return feedback + money


@contextmanager
def server(url: str, views: Path, log: Path) -> Iterator[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts", "serve", "--store", url, "--views", str(views), "--port", str(port),
             "--log-level", "warning"], stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text())
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str,
               token: str) -> int:
    """One keep-alive GET on an open connection: a minimal HTTP/1.1 client, so the load generator
    (on the same two cores) takes as little CPU from the server as possible."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _load(base: str, token: str, paths: Iterator[str], clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    host, port = base.removeprefix("http://").split(":")
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status = await _get(reader, writer, f"{host}:{port}", next(paths), token)
                latencies.append(time.perf_counter() - started)
                failures += status != 200
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests_per_s": len(latencies) / elapsed, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "failures": float(failures)}


def load(base: str, token: str, paths: Iterator[str], clients: int, seconds: float) -> dict[str, float]:
    return asyncio.run(_load(base, token, paths, clients, seconds))


def repeat(path: str) -> Iterator[str]:
    while True:
        yield path


def distinct_as_of(path: str) -> Iterator[str]:
    second = 0
    while True:
        second += 1
        yield f"{path}?as_of=2026-06-01T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


def answer_cpu_ms(views: Path, rounds: int = 5, answers: int = 20) -> dict[str, float]:
    """CPU milliseconds of one team answer in this process from the server's views file: as of a new time
    each (every one planned and run anew) and as it stands now; the best of ``rounds`` (the machine is shared)."""
    import duckdb

    from projections import queries
    from projections.timeline import FOREVER

    con = duckdb.connect(str(views), read_only=True)
    best = {"as_of": float("inf"), "now": float("inf")}
    moments = (datetime(2026, 6, 1) + timedelta(seconds=second) for second in range(1, 10**6))
    try:
        queries.team_view(con, "kitchen", FOREVER)  # warm: the file's pages read once
        for _ in range(rounds):
            for name in best:
                started = time.process_time()
                for _ in range(answers):
                    queries.team_view(con, "kitchen", next(moments) if name == "as_of" else FOREVER)
                best[name] = min(best[name], 1000 * (time.process_time() - started) / answers)
    finally:
        con.close()
    return best


def bench_reads(kind: str, n: int, workdir: Path, data: Path, clients: int, seconds: float) -> dict[str, Any]:
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
    cpu = answer_cpu_ms(workdir / f"views-{kind}.duckdb")
    return {
        "store": kind, "events": events, "clients": clients,
        "health_req_per_s": health["requests_per_s"], "health_p50_ms": health["p50_ms"],
        "team_req_per_s": cached["requests_per_s"], "team_p50_ms": cached["p50_ms"], "team_p99_ms": cached["p99_ms"],
        "team_vs_health": cached["requests_per_s"] / health["requests_per_s"],
        "team_as_of_req_per_s": queried["requests_per_s"], "team_as_of_p50_ms": queried["p50_ms"],
        "team_as_of_p99_ms": queried["p99_ms"],
        "team_as_of_answer_cpu_ms": cpu["as_of"], "team_now_answer_cpu_ms": cpu["now"],
        "failures": int(health["failures"] + cached["failures"] + queried["failures"]),
    }


def post_arrays(base: str, token: str, arrays: list[list[dict[str, Any]]], clients: int) -> int:
    """Post every array, ``clients`` keep-alive clients at once; the number of readings accepted."""
    from concurrent.futures import ThreadPoolExecutor

    def post(share: list[list[dict[str, Any]]]) -> int:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
            accepted = 0
            for array in share:
                answer = http.post("/api/commands", json=array)
                answer.raise_for_status()
                accepted += sum(r["status"] == "accepted" for r in answer.json()["results"])
            return accepted

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(post, [arrays[i::clients] for i in range(clients)]))


def cli_import_seconds(kind: str, workdir: Path, lines: list[dict[str, Any]]) -> float:
    with fresh_store(kind, workdir, "cli") as url:
        seed(url)
        ledger = Ledger.open(url)
        text = "".join(json.dumps(line) + "\n" for line in lines).encode().splitlines(keepends=True)
        seconds, summary = timed(lambda: import_lines(ledger, text))
        assert summary.accepted == len(lines) and not summary.errors
        ledger.close()
    return seconds


def api_seconds(kind: str, workdir: Path, lines: list[dict[str, Any]], clients: int, batch: int) -> float:
    with fresh_store(kind, workdir, f"api{clients}") as url:
        token = seed(url)
        with server(url, workdir / f"views-w{clients}-{kind}.duckdb", workdir / f"server-w-{kind}.log") as base:
            arrays = [lines[start:start + batch] for start in range(0, len(lines), batch)]
            seconds, accepted = timed(lambda: post_arrays(base, token, arrays, clients))
            assert accepted == len(lines), accepted
    return seconds


def bench_writes(kind: str, n: int, workdir: Path, data: Path, batch: int = 500,
                 writers: tuple[int, ...] = (1, 2), rounds: int = 3) -> dict[str, Any]:
    """The CLI import of the readings, then the same readings posted in arrays of ``batch`` by one
    client and by several at once, each on a fresh store of the same kind; ``rounds`` rounds
    interleaved (the shared machine's load swings), the median of each round's ratio reported."""
    lines = [json.loads(line) for line in data.read_text().splitlines()[1:]]  # the readings (metric is seeded)
    cli_rates: list[float] = []
    api_rates: dict[int, list[float]] = {clients: [] for clients in writers}
    ratios: dict[int, list[float]] = {clients: [] for clients in writers}
    for _ in range(rounds):
        cli = cli_import_seconds(kind, workdir, lines)
        cli_rates.append(len(lines) / cli)
        for clients in writers:
            api = api_seconds(kind, workdir, lines, clients, batch)
            api_rates[clients].append(len(lines) / api)
            ratios[clients].append(cli / api)
    row: dict[str, Any] = {"store": kind, "readings": len(lines), "rounds": rounds,
                           "cli_import_per_s": statistics.median(cli_rates)}
    for clients in writers:
        row[f"api_{clients}_client_per_s"] = statistics.median(api_rates[clients])
        row[f"ratio_{clients}_client_median"] = statistics.median(ratios[clients])
        row[f"ratio_{clients}_client_range"] = f"{min(ratios[clients]):.2f}-{max(ratios[clients]):.2f}"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="events in the store of the read benchmark")
    parser.add_argument("--writes", type=int, default=20_000, help="readings posted in the write benchmark")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the write benchmark")
    parser.add_argument("--only", choices=["reads", "writes"], help="run one of the two benchmarks")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        reads, writes = workdir / "reads.jsonl", workdir / "writes.jsonl"
        write_readings(reads, args.n - len(TEAM) - len(big_store_extras()) - 1)
        write_readings(writes, args.writes)
        kinds = args.stores.split(",")
        if args.only != "writes":
            rows = [bench_reads(k, args.n, workdir, reads, args.clients, args.seconds) for k in kinds]
            report(f"GET /api/teams/{{key}}, {args.clients} concurrent clients, vs GET /api/health", rows, args.json)
        if args.only != "reads":
            rows = [bench_writes(k, args.writes, workdir, writes, rounds=args.rounds) for k in kinds]
            report("POST /api/commands, arrays of 500 readings, vs clientocracy import", rows, args.json)


if __name__ == "__main__":
    main()
