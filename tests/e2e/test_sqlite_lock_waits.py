"""A write to a SQLite store whose write lock another process holds (a ``BEGIN IMMEDIATE`` left open, a stuck
process) fails after ``CLIENTOCRACY_SQLITE_BUSY_TIMEOUT`` seconds, once: the CLI with one line naming the file,
the API with 503 and ``Retry-After``, nothing written; it succeeds once the lock is released. The busy wait
used to count as a write conflict and be waited out sixteen times (eight minutes), then answered "write
conflict"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import jsonl, run_cli
from tests.support.company_server import company_server, post_command
from tests.support.privacy import company
from tests.support.scenario import Scenario
from tests.support.sqlite_locks import count, write_lock_held

pytestmark = pytest.mark.processes  # the CLI and a server, on a real SQLite file
GIVE_UP = 60
"""Seconds after which a command still waiting counts as hanging (the busy timeout here is 1 s)."""


@pytest.fixture()
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "1")  # the CLI's and the server's processes inherit it
    return tmp_path / "ledger.db"


def test_an_import_gives_up_on_a_held_write_lock_and_writes_nothing(path: Path) -> None:
    store = f"sqlite:///{path}"
    run_cli("import", "-", store=store, stdin=jsonl(company()), check=True, timeout=GIVE_UP)
    lines = jsonl(Scenario(at="2026-01-09T09:00:00Z").team("sales", id="t-sales").lines())
    events, chain = count(path, "stored_events"), count(path, "event_chain")
    with write_lock_held(path):
        result = run_cli("import", "-", store=store, stdin=lines, timeout=GIVE_UP)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"waited 1 s for the write lock of {path}" in result.stderr
    assert "another process holds the database's write lock" in result.stderr
    assert "CLIENTOCRACY_SQLITE_BUSY_TIMEOUT" in result.stderr and "nothing was written" in result.stderr
    assert (count(path, "stored_events"), count(path, "event_chain")) == (events, chain)
    assert count(path, "receipts", "key LIKE '%t-sales%'") == 0

    run_cli("import", "-", store=store, stdin=lines, check=True, timeout=GIVE_UP)
    assert count(path, "stored_events") > events
    assert run_cli("verify", store=store, timeout=GIVE_UP).returncode == 0


@pytest.fixture()
def world(path: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    lines = Scenario(at="2026-01-01T09:00:00Z").person("carol").council("carol").team("ops").lines()
    with company_server(f"sqlite:///{path}", tmp_path, lines, ["carol"]) as served:
        yield served


def test_a_command_behind_a_held_write_lock_is_refused_for_now_and_writes_nothing(
        world: dict[str, Any], path: Path) -> None:
    team = {"type": "FormTeam", "team": "sales", "name": "Sales"}
    events = count(path, "stored_events")
    with write_lock_held(path):
        answer = post_command(world, "carol", team)
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "1"
    assert "the store is busy" in answer.json()["error"] and "nothing was recorded" in answer.json()["error"]
    assert count(path, "stored_events") == events

    again = post_command(world, "carol", team)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "accepted" and count(path, "stored_events") > events
