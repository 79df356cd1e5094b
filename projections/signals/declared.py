"""A signal source as the cache sees it (``projections.signals.cache``): what it reads, and how time moves it.

A source is two steps: ``prepare(con, as_of)`` asks the views (the costly part) and ``finish(prepared, as_of)``
makes the signals of it (Python, cheap); the source's answer is ``finish(prepare(con, as_of), as_of)``. The
declaration says when a prepared answer may be used again at another as-of time, the ``reads`` tables unchanged
and the same facts of them seen (``projections.signals.inputs``): for every as-of time with the same
``period(as_of)``. ``ANY_TIME``: ``prepare`` depends on the facts alone (times are compared in ``finish``);
``DAY``/``HALF_DAY``/``HOUR``: time alone changes the answer only at a UTC midnight (or also at noon, or at every
full hour: the experiment kinds judge completed hours); ``EXACT``: at any moment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from projections.signals.model import Signal

Period = Callable[[datetime], Any]


def ANY_TIME(as_of: datetime) -> None:  # noqa: N802 - a constant-like rule
    return None


def HOUR(as_of: datetime) -> datetime:  # noqa: N802
    return as_of.replace(minute=0, second=0, microsecond=0)


def DAY(as_of: datetime) -> datetime:  # noqa: N802
    return as_of.replace(hour=0, minute=0, second=0, microsecond=0)


def HALF_DAY(as_of: datetime) -> datetime:  # noqa: N802
    return DAY(as_of) + (timedelta(hours=12) if as_of.hour >= 12 else timedelta())


def EXACT(as_of: datetime) -> datetime:  # noqa: N802
    return as_of


def as_is(prepared: list[Signal], as_of: datetime) -> list[Signal]:
    """The ``finish`` of a source whose ``prepare`` already gives its signals."""
    return prepared


@dataclass(frozen=True)
class Declared:
    """A source: ``name``; ``prepare``/``finish`` (above); ``reads``: the fact tables it reads, views macros
    included (None: it does not say, so any new event counts); ``about``: the table its subjects come from (empty:
    no signal, without asking); ``period``: how time moves it (above)."""

    name: str
    prepare: Callable[[duckdb.DuckDBPyConnection, datetime], Any]
    reads: Sequence[str] | None
    about: str
    period: Period
    finish: Callable[[Any, datetime], list[Signal]] = as_is

    def __call__(self, con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
        """The full evaluation: the source as ``(con, as_of) -> list[Signal]``."""
        return self.finish(self.prepare(con, as_of), as_of)
