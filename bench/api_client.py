"""The API benchmarks' client side: a seeded store, a real `clientocracy serve` process, a minimal keep-alive
HTTP/1.1 load generator for reads, and writers posting arrays of commands.

One module for what every API benchmark needs (``bench_api``, ``bench_home``, ``bench_webhooks``,
``bench_results_upload``), so each measures its own question with the same server and the same clients.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from domain.commands import parse_command
from domain.service.ledger import Ledger
from domain.service.tokens import issue_token

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


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(url: str, views: Path, log: Path) -> Iterator[tuple[str, int]]:
    """`clientocracy serve` over ``url`` on a free loopback port until the block ends: (base URL, its pid)."""
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
            yield base, process.pid
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def server(url: str, views: Path, log: Path) -> Iterator[str]:
    """``serving``, for a benchmark that needs only the base URL."""
    with serving(url, views, log) as (base, _):
        yield base


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
    """``clients`` keep-alive connections GETting ``paths`` for ``seconds``: requests/s, p50 and p99 latency."""
    return asyncio.run(_load(base, token, paths, clients, seconds))


def post_arrays(base: str, token: str, arrays: list[list[dict[str, Any]]], clients: int) -> int:
    """Post every array to ``/api/commands``, ``clients`` keep-alive clients at once; the commands accepted."""

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
