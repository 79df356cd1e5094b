"""The scale benchmark's PostgreSQL store is vacuumed and analysed once built (``bench.scale_store``), as an
operator does after a bulk load: an autovacuum of its fresh rows would otherwise run beside the timed commands."""

from __future__ import annotations

import psycopg
import pytest

from bench.scale_store import build_store
from tests.support.stores import POSTGRES_URL, postgres_store

pytestmark = pytest.mark.postgres


def test_a_built_postgresql_store_is_vacuumed_and_analysed() -> None:
    with postgres_store() as url:
        assert build_store(url, 300) == 300
        schema = url.rsplit("schema=", 1)[1]
        with psycopg.connect(POSTGRES_URL.split("?")[0]) as conn:
            rows = conn.execute(
                "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE schemaname = %s AND relname IN ('ledger_events', 'ledger_events_chain') ORDER BY relname",
                [schema]).fetchall()
    assert rows == [("ledger_events", True, True), ("ledger_events_chain", True, True)]
