"""Another PostgreSQL session holding a lock in a transaction it keeps open, and counting rows behind our back:
what the lock-wait tests share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg


def table(url: str, name: str) -> str:
    return f'"{parse_qs(urlsplit(url).query)["schema"][0]}"."{name}"'


@contextmanager
def held(url: str, *statements: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session that ran ``statements`` in a transaction it keeps open, rolled back at the end."""
    with psycopg.connect(url.split("?")[0]) as other:
        for statement in statements:
            other.execute(statement)
        try:
            yield other
        finally:
            other.rollback()


def count(url: str, name: str, where: str = "true") -> int:
    with psycopg.connect(url.split("?")[0]) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table(url, name)} WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


class LockWaits:
    """Counts the statements of other sessions that waited for a lock on the store's schema while the block ran:
    each wait is one (session, statement start) seen in ``pg_stat_activity``, polled every 0.1 s (a wait lasts
    the whole lock timeout, a second or more, so none is missed)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: set[tuple[int, Any]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> LockWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        schema = parse_qs(urlsplit(self.url).query)["schema"][0]
        with psycopg.connect(self.url.split("?")[0], autocommit=True) as conn:
            while not self._stop.wait(0.1):
                rows = conn.execute("SELECT pid, query_start FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    " AND position(%s in query) > 0", (schema,)).fetchall()
                self.seen.update(rows)
