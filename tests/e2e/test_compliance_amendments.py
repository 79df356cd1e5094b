"""Amendments that change what a promise is measured by: the new terms count from the next period."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import cli_json, jsonl, run_cli
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI

SETUP = (
    Scenario(at="2026-01-01T00:00:00Z")
    .team("ops", id="t").client("shop", id="c").metric("ontime", id="ma").metric("late", id="mb")
    .promise("p", "On time", 90, metric="ontime", id="p1", at="2026-01-04T00:00:00Z")
    .agreed(id="p2", at="2026-01-05T00:00:00Z")
    # week of 01-05: ontime 95 (kept), late 9
    .reading(95, "ontime", id="r1", at="2026-01-06T10:00:00Z")
    .reading(9, "late", id="r2", at="2026-01-06T10:00:00Z")
    # amended mid-week to the 'late' metric (lower is better, target 5): counts from the week of 01-12
    .add("AmendPromise", id="p3", promise="p", changes={"metric": "late", "target": 5},
         reason="count late orders instead", at="2026-01-07T00:00:00Z")
    .reading(50, "ontime", id="r3", at="2026-01-13T10:00:00Z")
    .reading(3, "late", id="r4", at="2026-01-13T10:00:00Z")
).lines()


def test_metric_amendment_counts_from_the_next_period(tmp_path: Path) -> None:
    store, views = f"sqlite:///{tmp_path / 'l.db'}", tmp_path / "v.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(SETUP), check=True)
    shown = cli_json("promise", "show", "p", store=store, views=views)
    assert shown["compliance"] == [
        {"period_start": "2026-01-05", "value": 95.0, "target": 90.0, "kept": True, "in_progress": False},
        {"period_start": "2026-01-12", "value": 3.0, "target": 5.0, "kept": True, "in_progress": False},
    ]
    assert shown["metric"] == "late"


def test_period_of_an_agreed_promise_cannot_be_amended(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'l.db'}"
    amend = {"type": "AmendPromise", "id": "p4", "promise": "p", "changes": {"period": "month"},
             "reason": "monthly", "at": "2026-01-20T00:00:00Z"}
    done = run_cli("import", "-", store=store, stdin=jsonl([*SETUP, amend]))
    assert done.returncode == 1
    expected = f"line {len(SETUP) + 1}: AmendPromise: promise p: the period of an agreed promise cannot change"
    assert expected in done.stderr


def test_reference_to_something_created_later_is_rejected(tmp_path: Path) -> None:
    """Otherwise the state as of the earlier time would name a metric that did not exist yet."""
    store = f"sqlite:///{tmp_path / 'l.db'}"
    early = {**SETUP[4], "id": "early", "promise": "early", "at": "2025-12-01T00:00:00Z"}
    done = run_cli("import", "-", store=store, stdin=jsonl([*SETUP[:4], early]))
    assert done.returncode == 1
    assert "team 'ops' did not exist yet at 2025-12-01T00:00:00+00:00" in done.stderr
