"""Clear one-line errors instead of tracebacks, and readers that never create a store.

Every case runs the real CLI (``python -m scripts``) on real files and a real PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from domain.audit import Audit
from domain.service.ledger import Ledger
from domain.team import Team
from tests.support.cli import CLI, jsonl, run_cli
from tests.support.scenario import Scenario
from tests.support.stores import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.processes  # the CLI

LINES = Scenario().team("alpha", id="t1").team("beta", "Beta", id="t2").lines()


def add_legacy_team(url: str, key: str, name: str) -> None:
    """A team whose key was stored before the key rule (docs/brief.md §10: such keys stay valid), as no channel
    takes a new one like it now."""
    team = Team(key=key, name=name, audit=Audit(at=datetime(2026, 1, 1, tzinfo=UTC)))
    ledger = Ledger.open(url)
    try:
        ledger.record(team.collect_events(), tracking=None, receipts=[])
    finally:
        ledger.close()


def clean_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Non-zero exit, no traceback, and the message names what was wrong."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    run_cli("import", "-", store=url, stdin=jsonl(LINES), check=True)
    return url


# 3. Readers never create a store ---------------------------------------------------------------


@pytest.mark.parametrize("command", [("verify",), ("team", "show", "alpha"), ("project",),
                                     ("retro", "--team", "alpha", "--from", "2026-01-01", "--to", "2026-02-01")])
def test_readers_never_create_a_store(tmp_path: Path, store_url: str, command: tuple[str, ...]) -> None:
    if store_url.startswith("sqlite"):
        store_url = f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}"
    result = run_cli(*command, store=store_url, views=tmp_path / "views.duckdb")
    clean_error(result, "no store at")
    assert_no_store(store_url, tmp_path)


def test_a_failed_import_creates_no_store(tmp_path: Path, store_url: str) -> None:
    if store_url.startswith("sqlite"):
        store_url = f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}"
    clean_error(run_cli("import", str(tmp_path / "nonexistent.jsonl"), store=store_url), "cannot read")
    assert_no_store(store_url, tmp_path)
    # a writing command with a readable file does create it
    run_cli("import", "-", store=store_url, stdin=jsonl(LINES[:1]), check=True)
    assert run_cli("verify", store=store_url).returncode == 0


def assert_no_store(store_url: str, tmp_path: Path) -> None:
    if store_url.startswith("sqlite"):
        assert not (tmp_path / "missing").exists()
        return
    import psycopg

    schema = store_url.split("?schema=")[1]
    with psycopg.connect(POSTGRES_URL.split("?")[0]) as conn:
        row = conn.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s",
                           (schema,)).fetchone()
    assert row == (0,)


# 5. --store that cannot be used -----------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    ("foo://x", "scheme must be sqlite or postgresql"),
    ("sqlite://relative.db", "sqlite:///relative/path.db"),
    ("sqlite:///", "names no database file"),
    ("sqlite:////dev/full", "not a regular file"),
])
def test_unusable_store_urls(url: str, expected: str) -> None:
    for command in (("verify",), ("import", "-")):
        clean_error(cli(*command, "--store", url), f"--store '{url}'", expected)


def test_store_that_is_a_directory_or_not_a_database(tmp_path: Path) -> None:
    clean_error(cli("verify", "--store", f"sqlite:///{tmp_path}"), "is a directory")
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n" * 100)
    clean_error(cli("verify", "--store", f"sqlite:///{notes}"), "not a readable SQLite database")
    clean_error(cli("import", "-", "--store", f"sqlite:///{notes}"), "--store")
    assert notes.read_text() == "not a database\n" * 100


def test_unreachable_postgres_and_missing_database() -> None:
    require_postgres()
    base = POSTGRES_URL.split("?")[0].rsplit("/", 1)[0]
    with_port = base.replace(":5432", ":1") if ":5432" in base else base + ":1"
    clean_error(cli("verify", "--store", f"{with_port}/test"), "cannot connect to PostgreSQL")
    clean_error(cli("import", "-", "--store", f"{base}/no_such_database_here"),
                "cannot connect to PostgreSQL", "no_such_database_here")


@contextlib.contextmanager
def read_only_copy(files: list[Path], tmp_path: Path) -> Iterator[Path]:
    """The files in a folder that cannot be written: a read-only mount as root, else permissions."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    if os.geteuid() != 0:
        for file in files:
            shutil.copy(file, folder)
            (folder / file.name).chmod(0o444)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)]).returncode != 0:
        pytest.skip("cannot mount a read-only filesystem here")
    try:
        for file in files:
            shutil.copy(file, folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_verify_and_show_a_read_only_store(tmp_path: Path, store: str) -> None:
    ledger = tmp_path / "ledger.db"
    con = sqlite3.connect(ledger)  # a clean close leaves no -wal/-shm beside the copy
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with read_only_copy([ledger], tmp_path) as folder:
        url = f"sqlite:///{folder / 'ledger.db'}"
        result = cli("verify", "--store", url)
        assert result.returncode == 0 and result.stdout.startswith("ok: 2 events"), result.stderr
        shown = cli("team", "show", "alpha", "--json", "--store", url, "--views", str(tmp_path / "v.duckdb"))
        assert shown.returncode == 0, shown.stderr
        clean_error(cli("import", "-", "--store", url), "--store", "cannot open it")


def test_import_into_a_store_whose_chain_head_is_damaged(tmp_path: Path, store_url: str) -> None:
    run_cli("import", "-", store=store_url, stdin=jsonl(LINES), check=True)
    if store_url.startswith("sqlite"):
        con = sqlite3.connect(tmp_path / "ledger.db")
        con.execute("UPDATE event_chain_head SET link = 'not a link'")
        con.commit()
        con.close()
    else:
        import psycopg

        schema = store_url.split("?schema=")[1]
        with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as conn:
            conn.execute(f'UPDATE "{schema}".ledger_events_chain_head SET link = NULL')
    line = {"type": "FormTeam", "id": "t9", "team": "z", "name": "Z"}
    clean_error(run_cli("import", "-", store=store_url, stdin=jsonl([line])), "chain head row is damaged")
    assert run_cli("team", "show", "z", store=store_url, views=tmp_path / "v.duckdb").returncode == 1  # nothing landed


# 5. --views that cannot be used -------------------------------------------------------------------


def test_unusable_views(tmp_path: Path, store: str) -> None:
    clean_error(run_cli("team", "show", "alpha", store=store, views=tmp_path), "is a directory")
    clean_error(run_cli("project", store=store, views=Path("/dev/full")), "not a regular file")


def test_read_only_views(tmp_path: Path, store: str) -> None:
    views = tmp_path / "views.duckdb"
    run_cli("project", store=store, views=views, check=True)
    with read_only_copy([views], tmp_path) as folder:
        clean_error(run_cli("team", "show", "alpha", store=store, views=folder / "views.duckdb"), "--views")
        clean_error(run_cli("project", "--rebuild", store=store, views=folder / "views.duckdb"), "--views")


def test_views_locked_by_another_process(tmp_path: Path, store: str) -> None:
    views = tmp_path / "views.duckdb"
    run_cli("project", store=store, views=views, check=True)
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(views)!r});"
                               " print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = cli("team", "show", "alpha", "--store", store, "--views", str(views),
                     env={"CLIENTOCRACY_VIEWS_LOCK_TIMEOUT": "1.5"})
        clean_error(result, "locked by another process", "CLIENTOCRACY_VIEWS_LOCK_TIMEOUT")
        assert time.monotonic() - started >= 1.5
    finally:
        holder.kill()
        holder.wait()
    assert duckdb.connect(str(views), read_only=True).execute("SELECT count(*) FROM teams").fetchone() == (2,)


# 5. Other arguments ---------------------------------------------------------------------------------


def test_retro_html_and_team_keys(tmp_path: Path, store: str) -> None:
    views = tmp_path / "views.duckdb"
    span = ("--from", "2020-01-01", "--to", "2030-01-01")
    for html, expected in ((tmp_path, "is a directory"), (tmp_path / "no" / "r.html", "does not exist"),
                           (Path("/dev/full"), "cannot write")):
        clean_error(run_cli("retro", "--team", "alpha", *span, "--html", str(html), store=store, views=views),
                    "--html", expected)
    ledger = tmp_path / "ledger.db"
    before = ledger.read_bytes()
    clean_error(run_cli("retro", "--team", "alpha", *span, "--html", str(ledger), store=store, views=views),
                "not an HTML report")
    assert ledger.read_bytes() == before
    add_legacy_team(store, "a/b", "Slash")  # a key holding '/'
    first = run_cli("retro", "--team", "a/b", *span, "--html", "retro-a_b.html", store=store, views=views, cwd=tmp_path)
    assert first.returncode == 0 and (tmp_path / "retro-a_b.html").exists(), first.stderr
    again = run_cli("retro", "--team", "a/b", *span, "--html", "retro-a_b.html", store=store, views=views, cwd=tmp_path)
    assert again.returncode == 0, again.stderr  # a report of ours is overwritten freely
    clean_error(run_cli("retro", "--team", "alpha", "--from", "garbage", "--to", "2026-01-01",
                        store=store, views=views), "--from 'garbage'")
    clean_error(run_cli("retro", "--team", "alpha", "--from", "2026-01-01", "--to", "nonsense",
                        store=store, views=views), "--to 'nonsense'")


def test_ingest_file_dead_letters_a_directory(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"not": "feedback"}\n')
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    clean_error(run_cli("ingest", "file", str(bad), "--dead-letters", str(tmp_path), store=store),
                "--dead-letters", "is a directory")


def test_demo_out_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    clean_error(run_cli("demo", "--out", str(target), store=f"sqlite:///{tmp_path / 'l.db'}",
                        views=tmp_path / "v.duckdb"), "--out")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("args", [("import", "-", "--chunk", "0"), ("import", "-", "--chunk", "-5"),
                                  ("ingest", "file", "-", "--batch-size", "0"),
                                  ("ingest", "kafka", "--topic", "t", "--bootstrap", "127.0.0.1:9",
                                   "--max-batch", "0")])
def test_sizes_below_one_are_rejected(tmp_path: Path, args: tuple[str, ...]) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    result = run_cli(*args, store=store, stdin=jsonl(LINES))
    clean_error(result, args[-2])
    assert not (tmp_path / "ledger.db").exists()
