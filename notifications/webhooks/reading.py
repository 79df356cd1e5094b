"""The signals delivery reads: every signal the operator sees as of now, cleared ones too (one raised and cleared
while nothing ran is still news), from a views file of the process's own or a server's live views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import duckdb

from projections.signals.active import raised_by
from projections.signals.cache import SIGNALS
from projections.signals.model import Signal
from projections.signals.sources import Source
from projections.timeline import as_of_value

Reading = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def signals_from(reading: Reading, sources: Iterable[Source] | None = None) -> Callable[[float], list[Signal]]:
    """Every signal raised by ``now`` (the operator sees them all), cleared ones too, in no particular order:
    ``active.chosen``'s filtering by reader and sorting would be work for nothing here. Every kind, through the
    process's cache (``projections.signals.cache.SIGNALS``, shared with a server's pages): an evaluation judges
    again only the kinds whose facts changed since; or only ``sources``, each asked every time."""
    chosen = None if sources is None else tuple(sources)

    def signals(now: float) -> list[Signal]:
        as_of = datetime.fromtimestamp(now, UTC).replace(tzinfo=None)
        with reading() as con:
            found = SIGNALS.raised_by(con, as_of) if chosen is None else raised_by(con, as_of, chosen)
        when = as_of_value(as_of)
        return [s for s in found if s.raised_at <= when]

    return signals


def position_moved(position: Callable[[], int]) -> Callable[[], bool]:
    """``views_moved`` for views something else keeps up to date (a server's): True when their position changed."""
    seen = [-1]

    def moved() -> bool:
        now = position()
        changed, seen[0] = now != seen[0], now
        return changed

    return moved
