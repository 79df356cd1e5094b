"""The scale path at 20,000 events (the benchmark's store, `bench/bench_scale.py`), for correctness only.

Rebuild equals incremental catch-up while the store grows; `verify` checks it in worker
processes; `team show` counts every open complaint and lists the newest 100 unless `--all`.
Nothing here is timed: the 1M-event figures come from the benchmark.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.scale_store import SETUP_LINES, bulk_counts, bulk_events, check_stored_form
from domain.personal_data import Sealer
from domain.service.ledger import Ledger
from scripts.import_file import import_lines
from tests.support.cli import CLI
from tests.support.complaints import ageless
from tests.support.stores import STORES, module_store
from tests.support.views import table_checksums

pytestmark = pytest.mark.processes  # the CLI

N = {"sqlite": 20_000, "postgres": 5_000}


def store_kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def cli_json(*args: str, store: str, views: Path, env: dict[str, str] | None = None) -> Any:
    import subprocess

    done = subprocess.run([*CLI, *args, "--json", "--store", store, "--views", str(views)], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=STORES)
def grown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[str, Path, int, int]]:
    """A store built in two steps, with `project` after each: the incremental views."""
    directory = tmp_path_factory.mktemp("scale")
    for store_url in module_store(request.param, directory):
        yield build(store_url, directory)


def build(store_url: str, directory: Path) -> tuple[str, Path, int, int]:
    n = N[store_kind(store_url)]
    views = directory / "incremental.duckdb"
    ledger = Ledger.open(store_url)
    try:
        assert not import_lines(ledger, [json.dumps(line) for line in SETUP_LINES]).errors
        sealer = Sealer(ledger.store)
        check_stored_form(ledger, sealer)
        bulk = n - int(ledger.recorder.max_notification_id() or 0)
        events = list(bulk_events(bulk, sealer))
        cut = len(events) * 3 // 5
        for part in (events[:cut], events[cut:]):
            for start in range(0, len(part), 5000):
                ledger.recorder.insert_events(part[start:start + 5000])
            cli_json("project", store=store_url, views=views)
        total = int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()
    return store_url, views, total, bulk


def test_rebuild_equals_incremental_and_verify_passes(grown: tuple[str, Path, int, int], tmp_path: Path) -> None:
    store, incremental, total, _ = grown
    rebuilt = tmp_path / "rebuilt.duckdb"
    assert cli_json("project", "--rebuild", store=store, views=rebuilt)["position"] == total
    assert table_checksums(rebuilt) == table_checksums(incremental)
    report = cli_json("verify", store=store, views=rebuilt, env={"CLIENTOCRACY_VERIFY_SEGMENT": "3000"})
    assert report["ok"] is True and report["events"] == total


def test_team_show_counts_all_open_complaints_and_lists_the_newest(grown: tuple[str, Path, int, int]) -> None:
    store, views, _, bulk = grown
    _, complaints, resolved = bulk_counts(bulk)  # the oldest complaints are the resolved ones
    open_ids = [f"bench-f{i}" for i in range(resolved, complaints)]

    team = cli_json("team", "show", "delivery", store=store, views=views)
    assert team["open_complaints_count"] == len(open_ids) > 100
    assert [c["feedback_id"] for c in team["open_complaints"]] == open_ids[-100:]  # newest 100, oldest first

    everything = cli_json("team", "show", "delivery", "--all", store=store, views=views)
    assert [c["feedback_id"] for c in everything["open_complaints"]] == open_ids
    assert everything["open_complaints_count"] == len(open_ids)
    assert everything["feedback_by_period"] == team["feedback_by_period"]
    assert sum(month["complaint"] for month in team["feedback_by_period"]) == complaints

    # As of a time before any resolution: every complaint recorded by then is open.
    as_of = "2026-01-06T00:00:00Z"  # complaints are 3 minutes apart from 2026-01-05T00:00Z
    early = cli_json("team", "show", "delivery", "--as-of", as_of, store=store, views=views)
    recorded = min(24 * 20 + 1, complaints)
    assert early["open_complaints_count"] == recorded
    assert early["open_complaints"][-1]["feedback_id"] == f"bench-f{recorded - 1}"


def test_query_pages_count_back_from_the_newest(grown: tuple[str, Path, int, int]) -> None:
    from projections.queries import team_view
    from projections.timeline import FOREVER
    from projections.view_store import connect

    _, views, _, _ = grown
    con = connect(views)
    try:
        whole = team_view(con, "delivery", FOREVER, limit=None)
        page = team_view(con, "delivery", FOREVER, limit=10, offset=5)
        beyond = team_view(con, "delivery", FOREVER, limit=10, offset=10**6)
    finally:
        con.close()
    assert whole is not None and page is not None and beyond is not None
    assert ageless(page)["open_complaints"] == ageless(whole)["open_complaints"][-15:-5]
    assert beyond["open_complaints"] == [] and beyond["open_complaints_count"] == whole["open_complaints_count"]
