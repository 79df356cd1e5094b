"""The server reads its views with ``SERVED_THREADS`` DuckDB threads, on the first file and on the file a rebuild
switches to; a command line reader keeps DuckDB's default."""

from __future__ import annotations

from pathlib import Path

import duckdb

from domain.service.ledger import Ledger
from projections.view_store import SERVED_THREADS
from projections.views_file import ViewsFile
from web.live_views import LiveViews


def setting(con: duckdb.DuckDBPyConnection) -> int:
    found = con.execute("SELECT current_setting('threads')").fetchone()
    assert found is not None
    return int(found[0])


def threads(views: LiveViews) -> int:
    with views.reading() as con:
        return setting(con)


def test_served_views_keep_their_threads_across_a_rebuild(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'store.db'}")
    views = LiveViews(ledger.store, tmp_path / "views.duckdb")
    try:
        views.fresh()
        assert threads(views) == SERVED_THREADS
        views.rebuild()
        assert threads(views) == SERVED_THREADS
    finally:
        views.close()
        ledger.close()


def test_a_command_line_reader_keeps_duckdbs_default(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'store.db'}")
    reader = ViewsFile(ledger.store, tmp_path / "views.duckdb")
    try:
        assert setting(reader.runner.con) == setting(duckdb.connect())
    finally:
        reader.close()
        ledger.close()
