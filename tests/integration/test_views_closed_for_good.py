"""A server's views, once closed at its stop, stay closed: a thread still running then (a stream's given-up read, a
delivery that waited for a lock) is refused. It opened the file again, silently, and nobody closed it: the file stayed
locked by the process, and its catch-up could go on writing to it after the stop."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from domain.service.ledger import Ledger
from projections.views_file import ViewsEnded
from web.live_views import LiveViews


def test_a_read_after_the_views_closed_is_refused_and_opens_nothing(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'store.db'}")
    path = tmp_path / "views.duckdb"
    views = LiveViews(ledger.store, path)
    try:
        views.fresh()
        assert views.close()
        refused: list[BaseException] = []

        def late_read() -> None:  # a thread of its own: it has no cursor yet, as a late request's thread
            try:
                with views.reading() as con:
                    con.execute("SELECT 1")
            except BaseException as error:
                refused.append(error)

        late = threading.Thread(target=late_read)
        late.start()
        late.join()
        assert len(refused) == 1 and isinstance(refused[0], ViewsEnded)
        with pytest.raises(ViewsEnded):
            views.catch_up(until=views.position + 1)  # as after a new event
        duckdb.connect(str(path)).close()  # nobody holds the file: another process may open it
    finally:
        ledger.close()
