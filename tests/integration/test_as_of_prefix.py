"""An as-of answer is the answer of a store that holds only the events up to that time (docs/brief.md §4
``--as-of``): the demo's sample company, read as of several times from its views, against a store of each
time's prefix of the same lines, imported and projected from zero, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.business_time import parse_as_of
from domain.service.ledger import Ledger
from projections import derived, queries
from projections.client_view import client_view
from projections.timeline import as_of_value
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from scripts.sample_company import sample_company_commands
from tests.support.stores import STORES, store_of

AS_OF = ("2025-12-20T12:00:00Z", "2026-01-04T09:30:00Z", "2026-02-14T18:45:00Z", "2026-03-05T06:00:00Z",
         "2026-03-22T12:00:00Z")
"""From the negotiations (one promise agreed, four proposed) to the last weeks of the sample (a member removed,
a promise amended and another retired, complaints resolved)."""


def _views(lines: list[dict[str, Any]], kind: str, folder: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The lines imported into a new store of ``kind`` and projected from zero into a views file of their own."""
    folder.mkdir()
    with store_of(kind, folder) as url:
        ledger = Ledger.open(url)
        try:
            summary = import_lines(ledger, [json.dumps(line) for line in lines])
            assert not summary.errors, summary.errors
            catch_up(ledger.store, folder / "views.duckdb")
        finally:
            ledger.close()
    con = connect(folder / "views.duckdb")
    derived.install(con)
    try:
        yield con
    finally:
        con.close()


def _comparable(view: dict[str, Any] | None) -> Any:
    """A show answer without the times the store stamped at recording (two stores record at different times)."""
    assert view is not None
    for entry in view.get("history", []):
        entry.pop("recorded_at")
    return json.loads(json.dumps(view, default=str))


@pytest.fixture(scope="module", params=STORES)
def company(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    lines = sample_company_commands()
    folder = tmp_path_factory.mktemp(f"as-of-{request.param}")
    for con in _views(lines, request.param, folder / "whole"):
        yield lines, request.param, folder, con


@pytest.mark.parametrize("as_of", AS_OF)
def test_an_as_of_answer_equals_the_answer_of_the_prefix(company: Any, as_of: str) -> None:
    lines, kind, folder, whole = company
    moment = as_of_value(parse_as_of(as_of))
    prefix = [line for line in lines if as_of_value(parse_as_of(line["at"])) <= moment]
    assert 0 < len(prefix) < len(lines)
    teams = [line["team"] for line in prefix if line["type"] == "FormTeam"]
    promises = [line["promise"] for line in prefix if line["type"] == "ProposePromise"]
    clients = [line["client"] for line in prefix if line["type"] == "IdentifyClient"]
    assert teams and promises and clients
    for con in _views(prefix, kind, folder / as_of.replace(":", "-")):
        # the prefix asked at the same moment: what time alone changes (the period in progress, a promise's
        # health, a complaint's age) is judged at that moment in both, as of it
        for team in teams:
            expected = queries.team_view(con, team, moment)
            assert _comparable(queries.team_view(whole, team, moment)) == _comparable(expected), team
        for promise in promises:
            expected = queries.promise_view(con, promise, moment)
            assert _comparable(queries.promise_view(whole, promise, moment)) == _comparable(expected), promise
        for client in clients:
            expected = client_view(con, client, moment)
            assert _comparable(client_view(whole, client, moment)) == _comparable(expected), client
