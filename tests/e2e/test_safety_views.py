"""The views file is ours and bound to its store: never overwrite another file, never answer for another store.

Every check runs the real CLI against real files (and a real PostgreSQL schema where a store is involved).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.support.cli import jsonl, run_cli
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI

TEAM_A = Scenario().team("alpha", id="a1").metric("m", id="a2").lines()
TEAM_B = Scenario().team("beta", id="b1").metric("m", id="b2").lines()


def load(store: str, lines: list[dict[str, object]]) -> None:
    run_cli("import", "-", store=store, stdin=jsonl(lines), check=True)


def sqlite_store(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


def team_found(team: str, store: str, views: Path) -> tuple[bool, str]:
    result = run_cli("team", "show", team, "--json", store=store, views=views)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return result.returncode == 0, result.stderr


# 1. Never overwrite or misuse a file that is not a views file of ours --------------------------


def test_rebuild_refuses_the_event_store_file(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path, "ledger.db")
    load(store, TEAM_A)
    target = tmp_path / "ledger.db"
    before = target.read_bytes()
    result = run_cli("project", "--rebuild", store=store, views=target)
    assert result.returncode != 0
    assert "not a DuckDB views file" in result.stderr and "Traceback" not in result.stderr
    assert target.read_bytes() == before
    assert run_cli("verify", store=store).returncode == 0


@pytest.mark.parametrize("flags", [("--rebuild",), ()])
def test_project_refuses_another_duckdb_database(tmp_path: Path, flags: tuple[str, ...]) -> None:
    store = sqlite_store(tmp_path, "ledger.db")
    load(store, TEAM_A)
    other = tmp_path / "analytics.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE sales AS SELECT range AS id FROM range(10)")
    con.close()
    before = other.read_bytes()
    result = run_cli("project", *flags, store=store, views=other)
    assert result.returncode != 0
    assert "not a views file of ours" in result.stderr and "Traceback" not in result.stderr
    assert other.read_bytes() == before
    con = duckdb.connect(str(other), read_only=True)
    assert con.execute("SELECT count(*) FROM sales").fetchone() == (10,)
    con.close()


@pytest.mark.parametrize("command", [("project",), ("team", "show", "alpha")])
def test_a_text_file_as_views_is_refused_untouched(tmp_path: Path, command: tuple[str, ...]) -> None:
    store = sqlite_store(tmp_path, "ledger.db")
    load(store, TEAM_A)
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 100)
    result = run_cli(*command, store=store, views=notes)
    assert result.returncode != 0
    assert "not a DuckDB views file" in result.stderr and "Traceback" not in result.stderr
    assert notes.read_text() == "my notes\n" * 100


@pytest.mark.parametrize("name", [":memory:", "md:views"])
def test_views_that_would_not_be_a_file_are_refused(tmp_path: Path, name: str) -> None:
    store = sqlite_store(tmp_path, "ledger.db")
    load(store, TEAM_A)
    result = run_cli("project", store=store, views=Path(name), cwd=tmp_path)
    assert result.returncode != 0 and "is not a file path" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_or_empty_views_file_is_created(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path, "ledger.db")
    load(store, TEAM_A)
    missing = tmp_path / "new" / "views.duckdb"
    assert team_found("alpha", store, missing)[0]
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    assert run_cli("project", "--rebuild", store=store, views=empty).returncode == 0
    assert team_found("alpha", store, empty)[0]


# 2. Views are bound to their store ------------------------------------------------------------


def test_views_never_answer_for_another_store(tmp_path: Path, store_url: str) -> None:
    """The same views file, first built from store A, then asked about store B (SQLite or PostgreSQL)."""
    views = tmp_path / "views.duckdb"
    store_a = sqlite_store(tmp_path, "a.db")
    load(store_a, TEAM_A)
    assert team_found("alpha", store_a, views)[0]
    load(store_url, TEAM_B)
    found, stderr = team_found("alpha", store_url, views)
    assert not found
    assert "another store" in stderr and "rebuilding" in stderr
    assert team_found("beta", store_url, views)[0]
    # and back: the views follow the store they are asked about
    assert team_found("alpha", store_a, views)[0]
    assert not team_found("beta", store_a, views)[0]


def test_a_store_rolled_back_or_replaced_under_the_same_identity_rebuilds(tmp_path: Path) -> None:
    views = tmp_path / "views.duckdb"
    store = sqlite_store(tmp_path, "ledger.db")
    db = tmp_path / "ledger.db"
    load(store, TEAM_A)
    snapshot = tmp_path / "snapshot.db"
    shutil.copy(db, snapshot)  # a backup: same identity, two events
    load(store, [{"type": "FormTeam", "id": "g1", "team": "gamma", "name": "Gamma"}])
    assert team_found("gamma", store, views)[0]

    shutil.copy(snapshot, db)  # rolled back: the store is behind the views
    found, stderr = team_found("gamma", store, views)
    assert not found and "rolled back" in stderr

    load(store, [{"type": "FormTeam", "id": "d1", "team": "delta", "name": "Delta"}])
    assert team_found("delta", store, views)[0]
    shutil.copy(snapshot, db)  # same identity, and a different event at the same position
    load(store, [{"type": "FormTeam", "id": "e1", "team": "epsilon", "name": "Epsilon"}])
    found, stderr = team_found("delta", store, views)
    assert not found and "differs" in stderr
    assert team_found("epsilon", store, views)[0]


def test_postgres_store_replaced_under_the_same_url_rebuilds(tmp_path: Path, postgres_url: str) -> None:
    import psycopg

    views = tmp_path / "views.duckdb"
    load(postgres_url, TEAM_A)
    assert team_found("alpha", postgres_url, views)[0]
    base, schema = postgres_url.split("?schema=")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    load(postgres_url, TEAM_B)
    found, stderr = team_found("alpha", postgres_url, views)
    assert not found and "another store" in stderr
    assert team_found("beta", postgres_url, views)[0]


def test_project_json_output_stays_clean_while_rebuilding(tmp_path: Path) -> None:
    views = tmp_path / "views.duckdb"
    store_a, store_b = sqlite_store(tmp_path, "a.db"), sqlite_store(tmp_path, "b.db")
    load(store_a, TEAM_A)
    load(store_b, TEAM_B)
    run_cli("project", store=store_a, views=views, check=True)
    result = run_cli("project", "--json", store=store_b, views=views, check=True)
    assert json.loads(result.stdout)["position"] == 2
    assert "rebuilding" in result.stderr
