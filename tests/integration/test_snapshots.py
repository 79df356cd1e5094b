"""Snapshots of long-lived aggregates (``domain.service.snapshots``) on every store: a load from one equals the
replay of every event; they stay out of the event log and its chain; a forgotten subject's text is in none of
them; a snapshot taken by other code, or a store without the snapshot table, falls back to the events."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.base import key_id
from domain.client import Client
from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from domain.service.snapshots import CODE, INTERVAL, LedgerSnapshot
from domain.team import Team
from scripts.sample_company import sample_company_commands

AT = "2026-01-01T00:00:00+00:00"
NAME = "Zelda Quist-Snapshotova"


def execute(ledger: Ledger, lines: list[dict[str, Any]]) -> None:
    for lo in range(0, len(lines), 2000):
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in lines[lo:lo + 2000]])
        assert result.rejected == [], result.rejected[:3]


def churn(team: str, events: int) -> list[dict[str, Any]]:
    """A team formed, then members added and removed: ``events`` events in all."""
    steps = [{"type": "AddMember", "team": team, "person": f"p{i // 2}", "role": "r", "at": AT} if i % 2 == 0
             else {"type": "RemoveMember", "team": team, "person": f"p{i // 2}", "at": AT} for i in range(events - 1)]
    return [{"type": "FormTeam", "team": team, "name": team, "at": AT}, *steps]


def replayed(ledger: Ledger, aggregate_id: UUID) -> dict[str, Any]:
    """The aggregate's attributes from all its events, without any snapshot."""
    aggregate = None
    for event in ledger.events.get(aggregate_id):
        aggregate = event.mutate(aggregate)
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def loaded(ledger: Ledger, aggregate_id: UUID) -> dict[str, Any]:
    return {k: v for k, v in vars(ledger.repository.get(aggregate_id)).items() if k != "_pending_events"}


def test_a_snapshot_of_every_aggregate_loads_as_its_events_replay(any_store_url: str) -> None:
    ledger = Ledger.open(any_store_url)
    try:
        execute(ledger, sample_company_commands())
        ids = {n.originator_id for n in ledger.store.select_notifications(1, 1_000_000)}
        assert ledger.snapshots is not None
        for aggregate_id in ids:
            ledger.snapshots.put([LedgerSnapshot.take(ledger.repository.get(aggregate_id))])
        for aggregate_id in ids:
            assert loaded(ledger, aggregate_id) == replayed(ledger, aggregate_id)
    finally:
        ledger.close()


def test_a_long_history_loads_from_its_latest_snapshot_outside_the_log(any_store_url: str) -> None:
    ledger = Ledger.open(any_store_url)
    team = key_id(Team.KIND, "long")
    try:
        execute(ledger, churn("long", 2 * INTERVAL + 50))
        assert ledger.snapshots is not None
        versions = [s.originator_version for s in ledger.snapshots.get(team)]
        assert versions == [INTERVAL, 2 * INTERVAL]
        assert loaded(ledger, team) == replayed(ledger, team)
        assert ledger.store.max_notification_id() == 2 * INTERVAL + 50  # the log holds the events alone
        assert ledger.verify().ok
    finally:
        ledger.close()


def test_a_snapshot_taken_by_other_code_is_passed_over(any_store_url: str) -> None:
    ledger = Ledger.open(any_store_url)
    team = key_id(Team.KIND, "t")
    try:
        execute(ledger, churn("t", INTERVAL - 1))
        stale = LedgerSnapshot.take(ledger.repository.get(team))
        stale.state["members"] = {"ghost": "lead"}
        stale.state[CODE] = "another-version-of-the-code"
        assert ledger.snapshots is not None
        ledger.snapshots.put([stale])
        assert ledger.repository.get(team).members == {}
    finally:
        ledger.close()


def test_a_forgotten_client_is_in_no_snapshot(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    client = key_id(Client.KIND, "zelda")
    try:
        execute(ledger, [{"type": "IdentifyClient", "client": "zelda", "name": NAME, "kind": "external", "at": AT},
                         *({"type": "RecordPain", "client": "zelda", "pain": f"pain-{i}",
                            "description": f"waited {i} days", "at": AT} for i in range(INTERVAL))])
        ledger.forget("client", "zelda", "asked to be forgotten")
        assert ledger.state(Client, "zelda").name == "[forgotten]"  # type: ignore[union-attr]
        assert ledger.reveal(ledger.repository.get(client).name) == "[forgotten]"  # loaded from the snapshot
    finally:
        ledger.close()
    con = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:
        states = [bytes(state) for (state,) in con.execute("SELECT state FROM stored_snapshots")]
    finally:
        con.close()
    assert len(states) == 1 and b"zelda" in states[0]
    assert not any(NAME.encode() in state or b"Zelda" in state for state in states)


@pytest.mark.parametrize("create", [True, False])
def test_a_store_without_the_snapshot_table_still_loads(tmp_path: Path, create: bool) -> None:
    """A store written before snapshots: a writer creates the table, a reader goes without it."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger.open(url)
    execute(ledger, churn("t", INTERVAL + 10))
    ledger.close()
    con = sqlite3.connect(tmp_path / "ledger.db")
    con.execute("DROP TABLE stored_snapshots")
    con.commit()
    con.close()
    again = Ledger.open(url, create=create)
    try:
        assert again.repository.get(key_id(Team.KIND, "t")).version == INTERVAL + 10
    finally:
        again.close()


def test_a_postgres_store_made_before_snapshots_gains_their_table(postgres_url: str) -> None:
    import psycopg

    from tests.support.stores import POSTGRES_URL

    execute(first := Ledger.open(postgres_url), churn("t", 10))
    first.close()
    schema = postgres_url.rpartition("schema=")[2]
    with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{schema}".ledger_snapshots')
    reader = Ledger.open(postgres_url, create=False)  # a reader goes without
    assert reader.repository.get(key_id(Team.KIND, "t")).version == 10
    reader.close()
    writer = Ledger.open(postgres_url)
    try:
        execute(writer, churn("u", INTERVAL))
        assert writer.snapshots is not None
        assert [s.originator_version for s in writer.snapshots.get(key_id(Team.KIND, "u"))] == [INTERVAL]
    finally:
        writer.close()
