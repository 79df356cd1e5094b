"""The signals a reader may see as of a time (docs/brief.md §9): all sources, filtered and ordered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from domain.read_policy import Viewer
from projections.signals.model import Signal
from projections.signals.sources import SOURCES, Source
from projections.timeline import as_of_value


def now_for_signals() -> datetime:
    """The as-of time of "now" (naive UTC), rounded *up* to the second: every event recorded by now is in (one
    recorded this very second, at its microseconds, would be left out by rounding down), and answers within one
    second may share a cache entry."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=0) + (timedelta(seconds=1) if now.microsecond else timedelta())


def may_see(viewer: Viewer, audience_teams: Iterable[str], client: str | None) -> bool:
    """The council sees all; a person those of their teams and of the clients they represent."""
    if viewer.council:
        return True
    return not viewer.teams.isdisjoint(audience_teams) or (client is not None and client in viewer.clients)


def raised_by(con: duckdb.DuckDBPyConnection, as_of: datetime, sources: Iterable[Source] = SOURCES) -> list[Signal]:
    """Every episode of every source raised by ``as_of``, for anyone: what a server may keep for one as-of time
    and views position, and choose from for each reader (``chosen``)."""
    when = as_of_value(as_of)
    return [s for source in sources for s in source(con, when)]


def chosen(found: Iterable[Signal], as_of: datetime, viewer: Viewer, *, team: str | None = None,
           client: str | None = None, include_cleared: bool = False) -> list[Signal]:
    """Of ``found``, the signals active at ``as_of`` (with ``include_cleared``, also those cleared by then) that
    ``viewer`` may see, newest first (ties by id, so the order is stable)."""
    return sorted(visible(found, as_of, viewer, team=team, client=client, include_cleared=include_cleared),
                  key=lambda s: (s.raised_at, s.id), reverse=True)


def visible(found: Iterable[Signal], as_of: datetime, viewer: Viewer, *, team: str | None = None,
            client: str | None = None, include_cleared: bool = False) -> list[Signal]:
    """``chosen`` in no particular order (for those who order or count them otherwise)."""
    when = as_of_value(as_of)
    picked = [s for s in found if s.raised_at <= when and (include_cleared or s.cleared_at is None
                                                           or s.cleared_at > when)]
    if team is not None or client is not None:
        picked = [s for s in picked if (team is None or team in s.audience_teams)
                  and (client is None or s.client == client)]
    if viewer.council:
        return picked
    allowed: dict[tuple[frozenset[str], str | None], bool] = {}  # signals share few audiences: each judged once
    shown = []
    for s in picked:
        audience = (s.audience_teams, s.client)
        may = allowed.get(audience)
        if may is None:
            may = allowed[audience] = may_see(viewer, *audience)
        if may:
            shown.append(s)
    return shown


def signals_as_of(con: duckdb.DuckDBPyConnection, as_of: datetime, viewer: Viewer, *, team: str | None = None,
                  client: str | None = None, include_cleared: bool = False,
                  sources: Iterable[Source] = SOURCES) -> list[Signal]:
    """The signals active at ``as_of`` (with ``include_cleared``, also those cleared by then) that ``viewer``
    may see, newest first."""
    return chosen(raised_by(con, as_of, sources), as_of, viewer, team=team, client=client,
                  include_cleared=include_cleared)


def signals_answer(con: duckdb.DuckDBPyConnection, as_of: datetime, viewer: Viewer, *, team: str | None = None,
                   client: str | None = None, include_cleared: bool = False, public_url: str = "") -> dict[str, Any]:
    """``{signals: [...]}``: the answer of ``clientocracy signals --json`` and ``GET /api/signals`` (through a cache
    of one answer: it skips the kinds with nothing to be about, and what they would import)."""
    from projections.signals.cache import SignalCache

    return answer_of(SignalCache().raised_by(con, as_of), as_of, viewer, team=team, client=client,
                     include_cleared=include_cleared, public_url=public_url)


def answer_of(found: Iterable[Signal], as_of: datetime, viewer: Viewer, *, team: str | None = None,
              client: str | None = None, include_cleared: bool = False, public_url: str = "") -> dict[str, Any]:
    """``{signals: [...]}`` chosen from ``found`` for ``viewer``."""
    picked = chosen(found, as_of, viewer, team=team, client=client, include_cleared=include_cleared)
    return {"signals": [s.as_json(public_url) for s in picked]}
