"""docs/brief.md §8 "Lists": the teams, promises, experiments, clients and people a reader may see as of a
business time, paged as ``{items: [{key, name, status?}], total, next_offset}``: one implementation for
``clientocracy list`` (the operator) and ``GET /api/<kind>``.

The read rules (docs/brief.md §10) are SQL conditions over ``projections.read_rules.list_params``, so
``total`` and the pages count only what the reader may see; a client's name the reader may not read is
``null`` and named in the item's ``redacted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from domain.read_policy import Viewer
from projections.paging import page
from projections.read_rules import list_params, with_concerned


@dataclass(frozen=True)
class Listing:
    rows: str  # SQL of key, name, open (may the name be read), status and the extra columns, as of $as_of
    visible: str  # SQL condition: the reader may see the row (docs/brief.md §10: lists leave out the rest)
    extra: tuple[str, ...] = ()  # columns after key and name, in the item as they are


_EXPERIMENT_STATUS = """CASE
    WHEN EXISTS (SELECT 1 FROM experiment_events v WHERE v.experiment = e.experiment AND v.event = 'Concluded'
                 AND v.business_at <= $as_of) THEN 'concluded'
    WHEN EXISTS (SELECT 1 FROM experiment_events v WHERE v.experiment = e.experiment AND v.event = 'Started'
                 AND v.business_at <= $as_of) THEN 'running'
    ELSE 'proposed' END"""
_OWN_CLIENT = "IN (SELECT unnest($r_clients))"

LISTS: dict[str, Listing] = {
    "teams": Listing("SELECT team AS key, name, true AS open FROM teams WHERE business_at <= $as_of", "true"),
    "promises": Listing(
        "SELECT promise AS key, statement AS name, true AS open, status, promisor, promisee"
        " FROM promise_state_as_of($as_of)",
        f"($r_internal OR promisee {_OWN_CLIENT})", ("status", "promisor", "promisee")),
    "experiments": Listing(
        f"SELECT experiment AS key, hypothesis AS name, true AS open, {_EXPERIMENT_STATUS} AS status, team"
        " FROM experiments e WHERE business_at <= $as_of", "$r_internal", ("status", "team")),
    "clients": Listing(
        "SELECT client AS key, name, $r_council OR client IN (SELECT unnest($r_details)) AS open, kind"
        " FROM clients WHERE business_at <= $as_of", f"($r_internal OR key {_OWN_CLIENT})", ("kind",)),
    "people": Listing("SELECT person AS key, name, true AS open FROM people WHERE business_at <= $as_of",
                      "($r_internal OR key = $r_person)"),
}
"""Each list by its name in ``projections.list_kinds.KINDS`` (the same names, in the same order)."""
OF_KIND = {"team": "teams", "promise": "promises", "experiment": "experiments", "client": "clients",
           "person": "people"}
"""The list holding the keys of a show command's kind."""


def _params(con: duckdb.DuckDBPyConnection, kind: str, viewer: Viewer, as_of: datetime) -> dict[str, Any]:
    reader = with_concerned(con, viewer, as_of) if kind == "clients" else viewer  # a client's name: the teams concerned
    return {"as_of": as_of, **list_params(reader)}


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """``sql`` with the parameters it names (DuckDB refuses any other)."""
    return con.execute(sql, {name: value for name, value in params.items() if f"${name}" in sql}).fetchall()


def _visible(kind: str) -> str:
    listing = LISTS[kind]
    return f"SELECT * FROM ({listing.rows}) WHERE {listing.visible}"


def list_items(con: duckdb.DuckDBPyConnection, kind: str, viewer: Viewer, as_of: datetime, limit: int | None,
               offset: int = 0) -> dict[str, Any]:
    """The ``kind`` things ``viewer`` may see as of ``as_of``, by key: ``limit`` of them (None: all) after
    ``offset``, with their ``total``."""
    params = _params(con, kind, viewer, as_of)
    rows = _run(con, f"SELECT *, count(*) OVER () FROM ({_visible(kind)}) ORDER BY key LIMIT $limit OFFSET $offset",
                {**params, "limit": limit, "offset": offset})  # one pass for the page and the total
    ((total,),) = [rows[0][-1:]] if rows else _run(con, f"SELECT count(*) FROM ({_visible(kind)})", params)
    extra = LISTS[kind].extra
    items = []
    for key, name, is_open, *more, _ in rows:
        item = {"key": key, "name": name if is_open else None, **dict(zip(extra, more, strict=True))}
        if not is_open:
            item["redacted"] = ["name"]
        items.append(item)
    return page(items, total, limit, offset)


def nearest_visible_keys(con: duckdb.DuckDBPyConnection, kind: str, viewer: Viewer, as_of: datetime, key: str,
                         limit: int = 200) -> list[str]:
    """The ``limit`` keys of a list ``viewer`` may see that look most like ``key`` (Jaro-Winkler, case folded):
    the candidates a "did you mean" chooses from, bounded however many there are."""
    rows = _run(con, f"SELECT key FROM ({_visible(kind)})"
                " ORDER BY jaro_winkler_similarity(lower(key), lower($near)) DESC, key LIMIT $limit",
                {**_params(con, kind, viewer, as_of), "near": key, "limit": limit})
    return [found for (found,) in rows]
