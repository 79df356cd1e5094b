"""Tampered or damaged views are never served silently: cheap checks on every open, `verify --views` for the rest."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.support.cli import jsonl, run_cli
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI

LINES = [
    *Scenario(at="2025-12-01").team("alpha", id="t1").metric("m", id="m1"),
    *[{"type": "RecordReading", "id": f"r{i}", "metric": "m", "value": i, "at": f"2026-01-{i:02d}"}
      for i in range(1, 6)],
]


def build(store: str, tmp_path: Path) -> tuple[str, Path]:
    views = tmp_path / "views.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(LINES), check=True)
    run_cli("project", store=store, views=views, check=True)
    return store, views


@pytest.fixture
def built(tmp_path: Path, store_url: str) -> tuple[str, Path]:
    """Views of a store on SQLite and on PostgreSQL."""
    return build(store_url, tmp_path)


@pytest.fixture
def built_sqlite(tmp_path: Path) -> tuple[str, Path]:
    """The views-side checks do not depend on the store kind: SQLite only, to keep the suite fast."""
    return build(f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path)


def edit(views: Path, *statements: str) -> None:
    con = duckdb.connect(str(views))
    for statement in statements:
        con.execute(statement)
    con.close()


def refused(store: str, views: Path, *expected: str) -> None:
    result = run_cli("team", "show", "alpha", "--json", store=store, views=views)
    assert result.returncode != 0 and result.stdout == ""
    assert "Traceback" not in result.stderr
    for text in ("rebuild the views", "clientocracy project --rebuild", *expected):
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE projection_tracking SET position = position - 3", "tracking position"),  # would duplicate rows
    ("UPDATE projection_tracking SET position = position + 100", "tracking position"),  # beyond the store's head
    ("INSERT INTO event_log SELECT * FROM event_log LIMIT 1", "event rows"),  # a duplicated position
])
def test_cheap_checks_refuse_edited_views_until_rebuilt(built_sqlite: tuple[str, Path], statement: str,
                                                         expected: str) -> None:
    store, views = built_sqlite
    edit(views, statement)
    refused(store, views, expected)
    assert run_cli("project", store=store, views=views).returncode != 0  # catching up would make it worse
    run_cli("project", "--rebuild", store=store, views=views, check=True)
    shown = run_cli("team", "show", "alpha", "--json", store=store, views=views, check=True)
    assert json.loads(shown.stdout)["team"] == "alpha"


def test_a_truncated_views_file_is_reported_and_rebuildable(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    views = tmp_path / "views.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(LINES), check=True)
    run_cli("project", store=store, views=views, check=True)
    data = views.read_bytes()
    views.write_bytes(data[: len(data) // 3])
    refused(store, views, "cannot be read")
    audit = run_cli("verify", "--views", store=store, views=views)
    assert audit.returncode == 1 and "Traceback" not in audit.stderr
    run_cli("project", "--rebuild", store=store, views=views, check=True)
    run_cli("team", "show", "alpha", store=store, views=views, check=True)


def test_verify_views_finds_edited_rows(built: tuple[str, Path]) -> None:
    store, views = built
    clean = run_cli("verify", "--check-views", "--views", str(views), "--json", store=store)
    assert clean.returncode == 0, clean.stderr
    report = json.loads(clean.stdout)
    assert report["ok"] and report["views"]["ok"] and report["views"]["position"] == len(LINES)

    edit(views, "UPDATE readings SET value = 99 WHERE value = 3", "DELETE FROM teams")
    result = run_cli("verify", "--check-views", "--views", str(views), "--json", store=store)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is True  # the store itself is intact
    differences = {d["table"]: d for d in report["views"]["differences"]}
    assert set(differences) == {"readings", "teams"}
    assert differences["readings"]["missing"] == 1 and differences["readings"]["extra"] == 1
    assert differences["teams"] == {"table": "teams", "missing": 1, "extra": 0, "first_position": 1}
    text = run_cli("verify", "--views", store=store, views=None, cwd=views.parent)  # bare flag: default file
    assert text.returncode == 1 and "no views file" in text.stdout
    plain = run_cli("verify", store=store)  # without --views only the store is verified
    assert plain.returncode == 0 and "views" not in plain.stdout
    named = run_cli("verify", store=store, views=views)  # --views PATH alone names the file, compares nothing
    assert named.returncode == 0 and "views" not in named.stdout


def test_verify_views_without_flag_keeps_store_only(built_sqlite: tuple[str, Path]) -> None:
    """Without `--views`, verify checks the store only (the views audit projects the whole store)."""
    store, views = built_sqlite
    edit(views, "DELETE FROM teams")
    result = run_cli("verify", "--json", store=store)
    assert result.returncode == 0 and "views" not in json.loads(result.stdout)
