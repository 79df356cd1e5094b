"""What delivery reads: every signal raised by now (cleared ones too) through the process's signal cache, so an
evaluation with nothing new asks the views nothing again, and one after an event judges only the kinds it touched;
the same signals as every source evaluated in full."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from domain.service.ledger import Ledger
from domain.service.views import caught_up
from notifications.webhooks.reading import signals_from
from projections.signals.active import raised_by
from projections.signals.cache import SIGNALS
from projections.views_file import ViewsFile
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.stores import store_of
from tests.support.webhook_signals import history, rise


def test_delivery_judges_again_only_what_changed(tmp_path: Path) -> None:
    with store_of("sqlite", tmp_path) as url:
        ledger = Ledger.open(url)
        views = ViewsFile(ledger.store, tmp_path / "views.duckdb", refresh=False)
        try:
            @contextmanager
            def reading() -> Iterator[duckdb.DuckDBPyConnection]:
                yield views.runner.con

            assert not import_lines(ledger, jsonl([*history("shop"), *rise("shop")]).splitlines()).errors
            caught_up(views)
            signals = signals_from(reading)
            now = time.time()
            first = signals(now)
            asked = SIGNALS.prepared
            again = signals(now + 1)  # nothing new: every kind's prepared answer is kept
            assert SIGNALS.prepared == asked
            full = raised_by(views.runner.con, datetime.fromtimestamp(now, UTC).replace(tzinfo=None))
            key = sorted(s.id for s in full)
            assert sorted(s.id for s in first) == key == sorted(s.id for s in again)
            assert {s.kind for s in first} == {"client_voice_shift"} and len(first) == 2
            assert not import_lines(ledger, jsonl(rise("bakery", team="ovens")).splitlines()).errors
            caught_up(views)
            signals(now + 2)
            assert 0 < SIGNALS.prepared - asked < 4  # the kinds reading the feedback, not every kind
        finally:
            views.close()
            ledger.close()
