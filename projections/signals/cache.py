"""Signals judged again only where something changed (docs/brief.md §9): for a server's pages and API, and for the
webhook and e-mail delivery that re-evaluates every few seconds.

``SignalCache().raised_by(con, as_of)`` returns exactly what ``active.raised_by(con, as_of)`` does (the same
signals, ids, ``raised_at`` and ``cleared_at``; the sources in the same order), but keeps each source's prepared
answer (``declared.Declared``) under the views file's identity, the versions of the fact tables the source reads
and the facts of them seen at the as-of time (``inputs.Inputs``): a new event recomputes only the sources reading
a table it wrote to. A later as-of time that sees the same facts reuses the prepared answer within the source's
period (the hour, half a day, the day, or any time for those whose ``finish`` compares the times: the complaints'
clocks and the proposals waiting), so time passing costs a cheap ``finish``; a fact dated in the future costs one
new answer when time reaches it. A source whose subjects' table is empty gives no signals without being asked.
Use one cache per process, ``SIGNALS``: it is thread-safe, keeps ``KEPT`` entries per source, and threads missing
the same entry wait for one computation of it (``domain.service.single_flight``); ``as_of`` is naive UTC and a
real time (the views' FOREVER is never cached).

Then choose for each reader with ``active.chosen`` (or ``active.answer_of``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import duckdb

from domain.service.single_flight import MISS, Flights
from projections.signals.declared import Declared
from projections.signals.inputs import EVERYTHING, Inputs, inputs_of
from projections.signals.model import Signal
from projections.signals.own_errors import cursors_own
from projections.signals.sources import DECLARED
from projections.snapshot import snapshot
from projections.timeline import FOREVER, as_of_value

KEPT = 8
"""Prepared answers kept per source (a few as-of times in use at once: now, and pages seen as of the past)."""


def tables_of(source: Declared) -> tuple[str, ...]:
    return tuple(source.reads) if source.reads is not None else (EVERYTHING,)


class SignalCache:
    """Each declared source's prepared answers, by views, input versions and period (see the module)."""

    def __init__(self, sources: Iterable[Declared] = DECLARED) -> None:
        self.sources = tuple(sources)
        self._kept: dict[str, OrderedDict[tuple[Any, ...], Any]] = {s.name: OrderedDict() for s in self.sources}
        self._lock = threading.Lock()
        self._flights = Flights(self._lock, own=cursors_own)
        self.prepared = 0
        """How many times a source was asked the views (for tests and benchmarks)."""

    def raised_by(self, con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
        """Every episode of every source raised by ``as_of``, for anyone: as ``active.raised_by``."""
        when = as_of_value(as_of)
        with snapshot(con):  # each source prepared from the very facts its versions name (``projections.snapshot``)
            inputs = inputs_of(con, {t for s in self.sources for t in (*tables_of(s), s.about)}, when)
            return [signal for source in self.sources for signal in self._judged(con, source, inputs, when)]

    def _judged(self, con: duckdb.DuckDBPyConnection, source: Declared, inputs: Inputs,
                when: datetime) -> list[Signal]:
        if inputs.empty(source.about):
            return []
        if when >= FOREVER:
            return source(con, when)
        key = (inputs.views, inputs.key(tables_of(source)), source.period(when))
        kept = self._kept[source.name]

        def look_up() -> Any:
            found = kept.get(key, MISS)
            if found is not MISS:
                kept.move_to_end(key)
            return found

        def keep(prepared: Any) -> None:
            self.prepared += 1
            kept[key] = prepared
            while len(kept) > KEPT:
                kept.popitem(last=False)

        found = self._flights.answer((source.name, key), look_up, lambda: source.prepare(con, when), keep)
        return source.finish(found, when)


SIGNALS = SignalCache()
"""The process's cache: the server's pages and API, and the delivery running beside them, share it."""
