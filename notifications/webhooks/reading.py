"""The signals delivery reads: every signal the operator sees as of now, cleared ones too (one raised and cleared
while nothing ran is still news), from a views file of the process's own or a server's live views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import duckdb

from domain.read_policy import OPERATOR
from projections.signals.active import signals_as_of
from projections.signals.model import Signal
from projections.signals.sources import SOURCES, Source

Reading = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def signals_from(reading: Reading, sources: Iterable[Source] = SOURCES) -> Callable[[float], list[Signal]]:
    chosen = tuple(sources)

    def signals(now: float) -> list[Signal]:
        with reading() as con:
            return signals_as_of(con, datetime.fromtimestamp(now, UTC).replace(tzinfo=None), OPERATOR,
                                 include_cleared=True, sources=chosen)

    return signals


def position_moved(position: Callable[[], int]) -> Callable[[], bool]:
    """``views_moved`` for views something else keeps up to date (a server's): True when their position changed."""
    seen = [-1]

    def moved() -> bool:
        now = position()
        changed, seen[0] = now != seen[0], now
        return changed

    return moved
