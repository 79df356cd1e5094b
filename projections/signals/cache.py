"""Signals judged again only where something changed (docs/brief.md §9): for a server's pages and API, and for the
webhook and e-mail delivery that re-evaluates every few seconds.

``SignalCache().raised_by(con, as_of)`` returns exactly what ``active.raised_by(con, as_of)`` does (the same
signals, ids, ``raised_at`` and ``cleared_at``; the sources in the same order), but keeps each source's prepared
answer (``declared.Declared``) under the versions of the fact tables it reads (``inputs.Inputs``) and the views'
store: a new event recomputes only the sources reading a table it wrote to. With those facts settled (none dated
after the as-of time), a later as-of time reuses the prepared answer within the source's period (the day, half a
day, or any time for those whose ``finish`` compares the times: the complaints' clocks and the proposals waiting),
so time passing costs a cheap ``finish``; otherwise the entry is for that exact as-of time. A source whose subjects'
table is empty gives no signals without being asked. Use one cache per process, ``SIGNALS`` (it is thread-safe and keeps
``KEPT`` entries per source); ``as_of`` is naive UTC and a real time (the views' FOREVER is never cached).

Then choose for each reader with ``active.chosen`` (or ``active.answer_of``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import duckdb

from projections.signals.declared import Declared
from projections.signals.inputs import EVERYTHING, Inputs, inputs_of
from projections.signals.model import Signal
from projections.signals.sources import DECLARED
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
        self.prepared = 0
        """How many times a source was asked the views (for tests and benchmarks)."""

    def raised_by(self, con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
        """Every episode of every source raised by ``as_of``, for anyone: as ``active.raised_by``."""
        when = as_of_value(as_of)
        inputs = inputs_of(con, {t for s in self.sources for t in (*tables_of(s), s.about)})
        return [signal for source in self.sources for signal in self._judged(con, source, inputs, when)]

    def _judged(self, con: duckdb.DuckDBPyConnection, source: Declared, inputs: Inputs,
                when: datetime) -> list[Signal]:
        if inputs.empty(source.about):
            return []
        if when >= FOREVER:
            return source(con, when)
        tables = tables_of(source)
        period = source.period(when) if inputs.settled(tables, when) else ("exactly", when)
        key = (inputs.views, inputs.key(tables), period)
        kept = self._kept[source.name]
        with self._lock:
            found = kept.get(key, kept)
            if found is not kept:
                kept.move_to_end(key)
        if found is kept:
            found = source.prepare(con, when)
            with self._lock:
                self.prepared += 1
                kept[key] = found
                while len(kept) > KEPT:
                    kept.popitem(last=False)
        return source.finish(found, when)


SIGNALS = SignalCache()
"""The process's cache: the server's pages and API, and the delivery running beside them, share it."""
