"""Benchmark: from the event that raises a signal to the webhook receiver's request, with `serve` running.

    python -m bench.bench_webhooks [--clients 500] [--rate 20] [--json]

docs/brief.md §9 / issue 21: 1,000 signals, 5 endpoints, one of them down (it accepts the connection and never
answers: every attempt to it waits out the timeout), goal p95 ≤ 2 s. Each client has ten steady weeks of
complaints; then, client after client at ``--rate`` signals a second, one import of its rise in the last complete
week raises two real ``client_voice_shift`` signals (the client's and its team's). The time of each import's
commit is compared with the arrival of each signal at the four healthy receivers, which verify every request with
the ``standardwebhooks`` library. Beside the latency: where it went (from the import's commit to the delivery's row
being added, which takes the views' catch-up and the judging of the signals; from the row to its claim; from the
claim to the receiver's request), the server's CPU seconds over the run and the load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.api_client import server
from bench.bench_common import report
from domain.service.ledger import Ledger
from domain.stores.webhook_tables import WebhookTables, webhooks_in
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.endpoints import add_endpoint
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.webhook_receiver import Receiver, always, receiver
from tests.support.webhook_signals import history, rise


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stages(tables: WebhookTables, received: list[tuple[float, float, str]]) -> dict[str, float]:
    """p50/p95 of the time from the commit to the delivery's row (views caught up, signals judged), from the row
    to its first claim, and from the claim to the receiver's request; ``received``: (commit, arrival, webhook_id)."""
    rows = {d.id: (d.created_at, attempts[0].started_at if attempts else None)
            for d, attempts in tables.deliveries(100_000)}
    parts: dict[str, list[float]] = {"to_row": [], "to_claim": [], "to_receiver": []}
    for commit, arrival, webhook_id in received:
        added, claimed = rows.get(webhook_id, (None, None))
        if added is None or claimed is None:
            continue
        parts["to_row"].append(added - commit)
        parts["to_claim"].append(claimed - added)
        parts["to_receiver"].append(arrival - claimed)
    return {f"{name}_{q}_s": round(percentile(values, quantile), 3) for name, values in parts.items() if values
            for q, quantile in (("p50", 0.5), ("p95", 0.95))}


def run(clients: int, rate: float, folder: Path) -> dict[str, Any]:
    os.environ[ALLOW_PRIVATE] = "1"  # the receivers are on loopback (the server inherits it)
    url = f"sqlite:///{folder / 'ledger.db'}"
    names = [f"c{i:04d}" for i in range(clients)]
    ledger = Ledger.open(url)
    started = time.monotonic()
    assert not import_lines(ledger, jsonl([line for c in names for line in history(c, team=f"t-{c}")]).splitlines()
                            ).errors
    seeded = time.monotonic() - started
    load_before = os.getloadavg()[0]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ExitStack() as stack:
        healthy: list[Receiver] = [stack.enter_context(receiver()) for _ in range(4)]
        down = stack.enter_context(receiver(always(None)))
        for got in [*healthy, down]:
            got.secret = add_endpoint(ledger.store, got.url)[1]
        stack.enter_context(server(url, folder / "views.duckdb", folder / "server.log"))
        tables = webhooks_in(ledger.store)
        while not all(e.primed for e in tables.endpoints()):  # the server's first look at the new endpoints
            time.sleep(0.1)
        raised: dict[str, float] = {}
        begin = time.monotonic()
        for n, c in enumerate(names):
            assert not import_lines(ledger, jsonl(rise(c, team=f"t-{c}")).splitlines()).errors
            raised[c] = time.time()
            time.sleep(max(0.0, begin + (n + 1) * 2 / rate - time.monotonic()))
        expected = 2 * clients
        deadline = time.monotonic() + 120
        while any(len(g.received) < expected for g in healthy) and time.monotonic() < deadline:
            time.sleep(0.2)
        load_after = os.getloadavg()[0]
        received: list[tuple[float, float, str]] = []
        for got in healthy:
            for r in got.received:
                assert r.verified, "a delivery failed standardwebhooks verification"
                data = r.body["data"]
                client = data["client"] or data["subject"]["key"].removeprefix("t-")
                received.append((raised[client], r.at, r.webhook_id))
        where = stages(tables, received)
        to_down = len(down.received)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server, waited for as the stack closed
    ledger.close()
    latencies = [arrival - commit for commit, arrival, _ in received]
    return {"signals": expected, "endpoints": 5, "down": 1,
            "seeded_events": sum(len(history(c)) for c in names[:1]) * clients, "seed_s": round(seeded, 1),
            "delivered": len(latencies), "expected": expected * len(healthy), "to_down_endpoint": to_down,
            "p50_s": round(statistics.median(latencies), 3), "p95_s": round(percentile(latencies, 0.95), 3),
            "max_s": round(max(latencies), 3), **where, "raise_rate_per_s": rate,
            "server_cpu_s": round(children.ru_utime + children.ru_stime
                                  - children_before.ru_utime - children_before.ru_stime, 1),
            "load_avg_1min": f"{load_before:.1f}-{load_after:.1f}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500, help="Two signals each (the client's, its team's).")
    parser.add_argument("--rate", type=float, default=20.0, help="Signals raised per second.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        row = run(args.clients, args.rate, Path(folder))
    report("webhook delivery latency with serve running", [row], args.json)


if __name__ == "__main__":
    main()
