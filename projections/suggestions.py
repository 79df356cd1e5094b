"""docs/brief.md §8: an unknown key names the nearest known ones ("did you mean …"), never one the reader may
not see (§10): the one not-found answer of the CLI, the API and the pages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import datetime

import duckdb

from domain.read_policy import Viewer
from projections.lists import OF_KIND, nearest_visible_keys
from projections.timeline import FOREVER

SUGGESTIONS = 3
CUTOFF = 0.6  # difflib's ratio: "delivry" → "delivery" (0.93), "kitchen" ↛ "delivery" (0.27)


def nearest_keys(key: str, known: Iterable[str], n: int = SUGGESTIONS) -> list[str]:
    """The (at most ``n``) keys of ``known`` closest to ``key``, closest first; case does not count."""
    by_folded: dict[str, str] = {}
    for candidate in known:
        by_folded.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(key.casefold(), list(by_folded), n=n, cutoff=CUTOFF)
    return [by_folded[found] for found in close if by_folded[found] != key]


def did_you_mean(con: duckdb.DuckDBPyConnection, kind: str, key: str, viewer: Viewer, as_of: datetime) -> list[str]:
    """The keys of ``kind`` (``team``, ``promise``, ``experiment``, ``client``, ``person``) near ``key`` that
    ``viewer`` may see as of ``as_of``."""
    return nearest_keys(key, nearest_visible_keys(con, OF_KIND[kind], viewer, as_of, key))


def unknown_teams(con: duckdb.DuckDBPyConnection, teams: Iterable[str], viewer: Viewer,
                  as_of: datetime = FOREVER) -> str | None:
    """None when every team of ``teams`` exists (as of ``as_of``); else "unknown team(s): …", each with the keys
    it may have meant (the retrospective's teams, in the CLI, the API and the page)."""
    asked = list(teams)
    known = {key for (key,) in con.execute(
        "SELECT team FROM teams WHERE team IN (SELECT unnest($teams)) AND business_at <= $as_of",
        {"teams": asked, "as_of": as_of}).fetchall()}
    missing = []
    for team in (t for t in asked if t not in known):
        near = did_you_mean(con, "team", team, viewer, as_of)
        missing.append(team + (f" (did you mean {', '.join(repr(k) for k in near)}?)" if near else ""))
    return f"unknown team(s): {', '.join(missing)}" if missing else None


def not_found(kind: str, key: str, as_of: str | None = None, suggestions: Iterable[str] = ()) -> str:
    """The one sentence for an unknown key: what was not found (as of when), and the keys it may have meant."""
    message = f"{kind} {key!r} not found" + (f" as of {as_of}" if as_of else "")
    near = list(suggestions)
    return message + (f"; did you mean {', '.join(repr(k) for k in near)}?" if near else "")
