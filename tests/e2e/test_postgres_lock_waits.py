"""A command that needs a lock another PostgreSQL session holds (an administrator's open transaction, a stuck
process) fails after ``CLIENTOCRACY_PG_LOCK_TIMEOUT`` seconds with one line naming the table, writes nothing,
and succeeds once the lock is released; it used to wait forever without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import jsonl, run_cli
from tests.support.pg_locks import LockWaits, count, held, table
from tests.support.privacy import VICTIM, VICTIM_MARKERS, company
from tests.support.scenario import Scenario

pytestmark = [pytest.mark.processes, pytest.mark.postgres]  # the CLI, on the real PostgreSQL
GIVE_UP = 60
"""Seconds after which a command still waiting counts as hanging (the lock wait here is 1 s)."""


@pytest.fixture()
def store(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")  # the CLI's processes inherit it
    run_cli("import", "-", store=postgres_url, stdin=jsonl(company()), check=True)
    return postgres_url


def test_an_import_gives_up_on_a_held_events_table_and_writes_nothing(store: str) -> None:
    lines = jsonl(Scenario(at="2026-01-09T09:00:00Z").team("sales", id="t-sales").lines())
    events, chain = count(store, "ledger_events"), count(store, "ledger_events_chain")
    with held(store, f"LOCK TABLE {table(store, 'ledger_events')} IN EXCLUSIVE MODE"):
        result = run_cli("import", "-", store=store, stdin=lines, timeout=GIVE_UP)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "waited 1 s for a lock on the events table" in result.stderr
    assert '"ledger_events"' in result.stderr and "CLIENTOCRACY_PG_LOCK_TIMEOUT" in result.stderr
    assert "nothing was written" in result.stderr
    assert (count(store, "ledger_events"), count(store, "ledger_events_chain")) == (events, chain)
    assert count(store, "ledger_events_receipts", "key LIKE '%t-sales%'") == 0

    run_cli("import", "-", store=store, stdin=lines, check=True, timeout=GIVE_UP)
    assert count(store, "ledger_events") > events
    assert run_cli("verify", store=store, timeout=GIVE_UP).returncode == 0


def test_forget_gives_up_on_a_locked_key_row_and_deletes_nothing(store: str, tmp_path: Path) -> None:
    keys = table(store, "ledger_events_subject_keys")
    forget = ("forget", "client", VICTIM, "--reason", "ticket T-1")
    with held(store, f"SELECT * FROM {keys} FOR UPDATE"):  # e.g. an administrator editing the keys
        result = run_cli(*forget, store=store, views=tmp_path / "v.duckdb", timeout=GIVE_UP)
    assert result.returncode == 2, result.stderr
    assert "waited 1 s for a lock on the key table" in result.stderr and "nothing was written" in result.stderr
    assert count(store, "ledger_events_subject_keys", f"subject LIKE '%{VICTIM}%'") == 1
    assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 0

    run_cli(*forget, store=store, views=tmp_path / "v.duckdb", check=True, timeout=GIVE_UP)
    assert count(store, "ledger_events_subject_keys", f"subject LIKE '%{VICTIM}%'") == 0
    assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 1


def test_forget_says_the_key_table_is_not_yet_rewritten_while_a_reader_holds_it(store: str, tmp_path: Path) -> None:
    keys = table(store, "ledger_events_subject_keys")
    forget = ("forget", "client", VICTIM, "--reason", "ticket T-1")
    with held(store, f"SELECT count(*) FROM {keys}"):  # an open transaction that read the table: VACUUM FULL waits
        result = run_cli(*forget, store=store, views=tmp_path / "v.duckdb", timeout=GIVE_UP)
    assert result.returncode == 1, result.stderr
    assert "is deleted, but the table's file may still hold a copy" in result.stderr
    assert "waited 1 s for a lock on the key table" in result.stderr and "run the same forget again" in result.stderr
    assert count(store, "ledger_events_subject_keys", f"subject LIKE '%{VICTIM}%'") == 0
    assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 1

    again = run_cli(*forget, store=store, views=tmp_path / "v.duckdb", check=True, timeout=GIVE_UP)
    assert "already forgotten" in again.stdout


def test_forget_that_cannot_record_its_event_says_the_key_is_gone_and_rebuilds_the_views(
        store: str, tmp_path: Path) -> None:
    """The key goes first; if ``SubjectForgotten`` then cannot be written, the data is forgotten all the same:
    the views are rebuilt without it, the command says so first, and running it again
    records the event."""
    views = tmp_path / "v.duckdb"
    run_cli("project", store=store, views=views, check=True, timeout=GIVE_UP)
    forget = ("forget", "client", VICTIM, "--reason", "ticket T-3")
    with held(store, f"LOCK TABLE {table(store, 'ledger_events')} IN EXCLUSIVE MODE"):
        result = run_cli(*forget, store=store, views=views, timeout=GIVE_UP)
    assert result.returncode == 1, result.stderr
    assert "is destroyed" in result.stderr and "run the same forget again" in result.stderr
    assert result.stderr.startswith("error: the key of") and "Traceback" not in result.stderr  # said first
    assert count(store, "ledger_events_subject_keys", f"subject LIKE '%{VICTIM}%'") == 0
    assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 0
    shown = run_cli("client", "show", VICTIM, "--json", store=store, views=views, timeout=GIVE_UP)
    assert shown.returncode == 0 and "[forgotten]" in shown.stdout, shown.stderr
    for marker in VICTIM_MARKERS:  # neither shown nor left in the views file's bytes
        assert marker not in shown.stdout and marker.encode() not in views.read_bytes()

    again = run_cli(*forget, "--json", store=store, views=views, check=True, timeout=GIVE_UP)
    assert '"erasure"' in again.stdout
    assert count(store, "ledger_events", "topic LIKE '%Forgotten%'") == 1


def test_a_show_behind_a_schema_change_gives_up_once_with_one_line(store: str, tmp_path: Path) -> None:
    """An administrator's ``ALTER TABLE`` left open (ACCESS EXCLUSIVE): reading the events is bounded too, and
    the library's read retry (meant for a lost connection) does not wait the bound out ten times."""
    views = tmp_path / "v.duckdb"
    with held(store, f"ALTER TABLE {table(store, 'ledger_events')} ADD COLUMN note text"), LockWaits(store) as waits:
        result = run_cli("team", "show", "ops", "--json", store=store, views=views, timeout=GIVE_UP)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "waited 1 s for a lock on the events table" in result.stderr
    assert "CLIENTOCRACY_PG_LOCK_TIMEOUT" in result.stderr
    assert "nothing was written" not in result.stderr
    assert len(waits.seen) == 1, waits.seen

    assert run_cli("team", "show", "ops", "--json", store=store, views=views, timeout=GIVE_UP).returncode == 0
