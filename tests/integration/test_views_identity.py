"""A views file's identity (``projections.views_identity``), which the signal caches key their answers by: a file
with no id opened read-only is named the same on every call (so its answers are reused, not each evicting useful
ones under a new random name) until the file changes; a database that can change under us is never shared."""

from __future__ import annotations

from pathlib import Path

import duckdb

from projections.views_identity import views_identity


def made(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE IF NOT EXISTS t (a INTEGER)")
        con.execute("INSERT INTO t SELECT * FROM range(?)", [rows])


def test_a_file_without_an_id_opened_read_only_keeps_one_identity_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "old-views.duckdb"
    made(path, 10)
    with duckdb.connect(str(path), read_only=True) as con:
        first = views_identity(con)
        cursor = con.cursor()
        assert views_identity(con) == first and views_identity(cursor) == first
        assert not first.startswith("unknown")
    with duckdb.connect(str(path), read_only=True) as again:
        assert views_identity(again) == first  # reopened unchanged: the same file
    made(path, 100_000)
    with duckdb.connect(str(path), read_only=True) as changed:
        assert views_identity(changed) != first


def test_a_database_without_an_id_that_may_change_is_never_shared(tmp_path: Path) -> None:
    path = tmp_path / "writable.duckdb"
    made(path, 10)
    with duckdb.connect(str(path)) as con:
        assert views_identity(con) != views_identity(con)
    with duckdb.connect() as memory:
        assert views_identity(memory) != views_identity(memory)


def test_a_views_file_with_an_id_is_named_by_it_read_only_too(tmp_path: Path) -> None:
    path = tmp_path / "views.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE views_meta (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("INSERT INTO views_meta VALUES ('views_id', 'abc')")
    with duckdb.connect(str(path), read_only=True) as con:
        assert views_identity(con) == "abc"
