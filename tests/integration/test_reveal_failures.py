"""What fails inside ``REVEAL`` (the DuckDB function opening sealed texts, ``projections.page_sql``) reaches
the caller as itself: DuckDB passes on only a text, so the store's own error and Ctrl-C's ``KeyboardInterrupt``
read as a DuckDB error unless the function keeps them. A failed rebuild leaves the old views in place."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from eventsourcing.persistence import OperationalError, PersistenceError

from domain import commands as c
from domain.personal_data import KeyRow, Revealer
from domain.service.ledger import Ledger
from domain.stores.common import opened_recorder
from domain.stores.port import LedgerStore
from projections.runner import ProjectionRunner, rebuild
from projections.view_store import connect
from projections.views_file import catch_up
from tests.support.privacy import drop_key_table
from tests.support.stores import POSTGRES_URL

T0 = "2026-01-05T09:00:00+00:00"


def record_feedback(ledger: Ledger, *clients: str) -> None:
    """Feedback text: sealed under its client's key, opened by ``REVEAL`` as DuckDB inserts it."""
    ledger.execute([c.COMMAND_ADAPTER.validate_python(
        {"type": "RecordFeedback", "feedback_id": f"f-{client}", "client": client, "kind": "complaint",
         "channel": "app", "text": f"late again, says {client}", "occurred_at": T0}) for client in clients])


def views_state(views: Path) -> tuple[Any, ...]:
    with duckdb.connect(str(views), read_only=True) as con:
        return (con.execute("SELECT position FROM projection_tracking").fetchone(),
                con.execute("SELECT feedback_id, text FROM feedback ORDER BY feedback_id").fetchall())


def assert_old_views_stay(views: Path, before: tuple[Any, ...]) -> None:
    assert views_state(views) == before
    assert list(views.parent.glob(f"{views.name}.rebuild-*")) == []


def test_a_key_store_failing_inside_duckdb_raises_the_stores_own_error_and_the_old_views_stay(
        store_url: str, ledger: Ledger, tmp_path: Path) -> None:
    record_feedback(ledger, "ann")
    views = tmp_path / "views.duckdb"
    catch_up(ledger.recorder, views)
    before = views_state(views)
    assert before[1] == [("f-ann", "late again, says ann")]
    drop_key_table(store_url)
    with pytest.raises(PersistenceError) as raised:
        rebuild(ledger.recorder, views)
    assert not isinstance(raised.value, duckdb.Error)
    assert isinstance(raised.value.__context__, duckdb.Error)  # DuckDB's wrapping stays in the chain
    assert_old_views_stay(views, before)


class InterruptedKeys:
    """The store, where Ctrl-C lands while a key is looked up: Python's SIGINT handler raises
    ``KeyboardInterrupt`` at that point, which here is inside DuckDB's call of ``REVEAL``."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    def subject_keys(self, subjects: Collection[str] | None, *, create: bool = False) -> dict[str, KeyRow]:
        raise KeyboardInterrupt

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_ctrl_c_inside_duckdbs_call_of_reveal_is_a_keyboard_interrupt_and_the_old_views_stay(
        sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        record_feedback(ledger, "ann", "bob")
        views = tmp_path / "views.duckdb"
        catch_up(ledger.recorder, views)
        before = views_state(views)
        with pytest.raises(KeyboardInterrupt):
            rebuild(InterruptedKeys(ledger.recorder), views)  # type: ignore[arg-type]
        assert_old_views_stay(views, before)
        rebuild(ledger.recorder, views)  # the same rebuild, not interrupted, goes through
        assert views_state(views) == before
    finally:
        ledger.close()


@pytest.mark.postgres
def test_a_key_store_connection_lost_inside_duckdb_raises_the_stores_own_error(
        postgres_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(postgres_url)
    try:
        record_feedback(ledger, "ann")
    finally:
        ledger.close()
    with opened_recorder(postgres_url, create=False) as pages, opened_recorder(postgres_url, create=False) as keys:
        runner = ProjectionRunner(pages, connect(tmp_path / "views.duckdb"))
        runner.revealer = Revealer(keys)  # keys on a connection of their own, which the server drops
        with keys.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            pid = conn.info.backend_pid
        with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        try:
            with pytest.raises(OperationalError):
                runner.catch_up()
            assert runner.position() == 0
        finally:
            runner.con.close()
