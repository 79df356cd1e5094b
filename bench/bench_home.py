"""Benchmark: the start page (``GET /``) of a real `clientocracy serve` while one member has proposed N promises.

    python -m bench.bench_home [--n 10000] [--repeat 5] [--json]

docs/brief.md §10 "Cost bounds": no page grows with data another person can create without bound. One
member of the kitchen proposes N promises to the diner; the start page is timed (median of ``--repeat``
after one warm-up) for a bystander of another team, the kitchen's lead and the diner's representative
(whose page lists what awaits their answer, paged) and the council. Every proposal waits past 2 days for the
diner, so each is a ``negotiation_waiting`` signal: "Needs your attention (N)" counts them all and lists 50.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.api_client import server
from bench.bench_common import report
from domain.commands import parse_command
from domain.service.ledger import Ledger
from domain.service.tokens import issue_token

AT = "2025-12-01T00:00:00Z"
PEOPLE = {"carol": "council", "ann": "kitchen lead", "mallory": "kitchen member", "bob": "garden member",
          "dora": "the diner's representative"}


def seed(url: str, n: int) -> dict[str, str]:
    lines: list[dict[str, Any]] = [{"type": "RegisterPerson", "person": p, "name": p.title()} for p in PEOPLE]
    lines += [
        {"type": "AppointCouncil", "person": "carol"},
        {"type": "FormTeam", "team": "kitchen", "name": "Kitchen"},
        {"type": "FormTeam", "team": "garden", "name": "Garden"},
        {"type": "AddMember", "team": "kitchen", "person": "ann", "role": "chef", "lead": True},
        {"type": "AddMember", "team": "kitchen", "person": "mallory", "role": "cook"},
        {"type": "AddMember", "team": "garden", "person": "bob", "role": "gardener", "lead": True},
        {"type": "IdentifyClient", "client": "diner", "name": "Diner", "kind": "external"},
        {"type": "RepresentClient", "client": "diner", "person": "dora"},
        {"type": "DefineMetric", "metric": "ontime", "name": "On time", "unit": "%",
         "direction": "higher_is_better"},
    ]
    lines += [{"type": "ProposePromise", "promise": f"p{i:05d}", "promisor": "kitchen", "promisee": "diner",
               "statement": f"Order {i} on time", "metric": "ontime", "target": 90, "period": "week",
               "actor": "mallory"} for i in range(n)]
    ledger = Ledger.open(url)
    try:
        for start in range(0, len(lines), 2000):
            chunk = [parse_command(json.dumps({**line, "at": AT})) for line in lines[start:start + 2000]]
            result = ledger.execute(chunk)
            assert not result.rejected and not result.forbidden, result
        return {person: issue_token(ledger, person).token for person in PEOPLE}
    finally:
        ledger.close()


def signed_in(base: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None, form
    answer = client.post("/login", data={"token": token, "csrf_token": csrf.group(1), "next": "/"})
    assert answer.status_code in (200, 303), answer.text
    return client


def start_page_seconds(client: httpx.Client, repeat: int) -> tuple[float, int, int]:
    """Median seconds, bytes and the "Needs your attention (N)" count of the start page. Its signals are computed
    as of now to the second, so a run of requests mostly misses the answer cache, as people's visits do."""
    client.get("/")  # warm-up: the views catch up, caches fill
    times = []
    for _ in range(repeat):
        time.sleep(1.0)  # the next second: the signals are computed again
        started = time.perf_counter()
        page = client.get("/")
        times.append(time.perf_counter() - started)
        assert page.status_code == 200, page.text[:300]
    attention = re.search(r"Needs your attention \((\d+)\)", page.text)
    return statistics.median(times), len(page.content), int(attention.group(1)) if attention else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = f"sqlite:///{work / 'ledger.db'}"
        tokens = seed(url, args.n)
        rows = []
        with server(url, work / "views.duckdb", work / "server.log") as base:
            for person in ("bob", "ann", "dora", "carol"):
                client = signed_in(base, tokens[person])
                try:
                    seconds, size, signals = start_page_seconds(client, args.repeat)
                finally:
                    client.close()
                rows.append({"viewer": f"{person} ({PEOPLE[person]})", "proposals": args.n,
                             "start page s (median)": round(seconds, 4), "page bytes": size,
                             "signals": signals})
    report("Start page with one member's proposals", rows, args.json)


if __name__ == "__main__":
    main()
