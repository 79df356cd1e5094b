"""docs/brief.md §9 / issue 20 "Signals are a projection": every source's signals as of a time are the same on a
SQLite and a PostgreSQL store holding the same events, and the same from a views file projected at once as from
one caught up step by step while the company happened."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from domain.read_policy import OPERATOR
from domain.service.ledger import Ledger
from projections.signals.active import signals_as_of
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.integration.test_signals_experiments import LINES as EXPERIMENT
from tests.support.cli import jsonl
from tests.support.stores import store_of

NEGOTIATION: list[dict[str, Any]] = [
    {"type": "RegisterPerson", "person": "rosa", "name": "Rosa", "at": "2026-03-01T00:00:00Z"},
    {"type": "IdentifyClient", "client": "shop", "name": "Shop", "kind": "external", "at": "2026-03-01T00:00:00Z"},
    {"type": "RepresentClient", "client": "shop", "person": "rosa", "at": "2026-03-01T00:00:00Z"},
    {"type": "ProposePromise", "promise": "fast", "promisor": "kitchen", "promisee": "shop", "statement": "Fast",
     "metric": "ontime", "target": 90, "period": "week", "at": "2026-03-02T09:00:00Z"},
    {"type": "ProposePromise", "promise": "bread", "promisor": "kitchen", "promisee": "bakery", "statement": "Bread",
     "metric": "ontime", "target": 95, "period": "week", "at": "2026-03-02T10:00:00Z"},
    {"type": "AgreePromise", "promise": "fast", "at": "2026-03-06T09:00:00Z"},
]
COMPANY = [*EXPERIMENT[:-1], *NEGOTIATION, EXPERIMENT[-1]]  # concluded last
MOMENTS = [datetime(2026, 3, d, h) for d in (3, 4, 5, 6, 8) for h in (0, 9, 12)] + [datetime(2027, 1, 1)]


def _signals(views: Path) -> dict[datetime, list[dict[str, Any]]]:
    con = connect(views)
    try:
        return {at: [s.as_json() for s in signals_as_of(con, at, OPERATOR, include_cleared=True)] for at in MOMENTS}
    finally:
        con.close()


def _project(url: str, folder: Path, steps: int) -> Path:
    views = folder / f"views-{steps}.duckdb"
    ledger = Ledger.open(url)
    try:
        size = -(-len(COMPANY) // steps)
        for start in range(0, len(COMPANY), size):
            assert import_lines(ledger, jsonl(COMPANY[start:start + size]).splitlines()).errors == []
            catch_up(ledger.store, views)
    finally:
        ledger.close()
    return views


def test_the_same_events_give_the_same_signals_on_either_store_rebuilt_or_caught_up(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with store_of("sqlite", tmp_path / "a") as url:
        stepwise = _signals(_project(url, tmp_path / "a", 7))
    with store_of("postgres", tmp_path / "b") as url:
        whole = _signals(_project(url, tmp_path / "b", 1))
    assert stepwise == whole
    kinds = {s["kind"] for found in whole.values() for s in found}
    assert {"negotiation_waiting", "experiment_srm", "experiment_guardrail_harmed", "experiment_ready"} <= kinds
