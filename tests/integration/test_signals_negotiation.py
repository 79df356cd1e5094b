"""docs/brief.md §9's ``negotiation_waiting`` on real stores and a real views file: a proposal, counter-proposal or
amendment unanswered for 2 days is raised by time alone and cleared by the answer, at the right as-of times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from domain.read_policy import OPERATOR, Viewer
from domain.service.ledger import Ledger
from projections.signals.active import signals_as_of
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.scenario import Scenario
from tests.support.views import import_and_project

AT = "2026-03-02T09:00:00Z"
LINES: list[dict[str, Any]] = [
    *Scenario(at=AT).person("rosa").team("kitchen").member("carol", "chef", lead=True)
    .team("bakery").member("bob", "baker", lead=True)
    .client("shop").represent("rosa").metric("ontime")
    .promise("fast", "Orders on time", 90, promisor="kitchen", promisee="shop")
    .promise("bread", "Bread by 6", 95, promisor="kitchen", promisee="bakery"),
    {"type": "CounterPropose", "promise": "bread", "changes": {"target": 97}, "at": "2026-03-03T09:00:00Z"},
    {"type": "AgreePromise", "promise": "fast", "at": "2026-03-05T09:00:00Z"},
    {"type": "ProposeAmendment", "promise": "fast", "changes": {"target": 85}, "reason": "summer",
     "at": "2026-03-10T09:00:00Z"},
    {"type": "DeclineAmendment", "promise": "fast", "reason": "no", "at": "2026-03-13T10:00:00Z"},
]
"""``fast`` waits for the shop from 2 Mar (raised 4 Mar, agreed 5 Mar), its amendment from 10 Mar (raised 12 Mar,
declined 13 Mar); ``bread`` is countered within a day (never raised), the counter waits from 3 Mar for the
kitchen (raised 5 Mar, still waiting)."""


def _views(store_url: str, views: Path, lines: list[dict[str, Any]] = LINES) -> None:
    import_and_project(store_url, views, lines)


def _found(views: Path, at: str, viewer: Viewer = OPERATOR, **options: Any) -> list[dict[str, Any]]:
    con = connect(views)
    try:
        return [s.as_json() for s in signals_as_of(con, datetime.fromisoformat(at), viewer, **options)]
    finally:
        con.close()


def _short(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((s["subject"]["key"], s["because"]["version"], s["because"]["proposal"], s["team"], s["client"],
                   s["raised_at"], s.get("cleared_at")) for s in found)


def test_a_proposal_unanswered_for_two_days_is_raised_by_time_alone_and_cleared_by_the_answer(
        store_url: str, tmp_path: Path) -> None:
    views = tmp_path / "views.duckdb"
    _views(store_url, views)
    assert _found(views, "2026-03-04T08:59:59") == []
    raised = _found(views, "2026-03-04T09:00:00")
    assert _short(raised) == [("fast", 1, "proposal", "kitchen", "shop", "2026-03-04T09:00:00+00:00", None)]
    assert raised[0]["kind"] == "negotiation_waiting" and raised[0]["severity"] == "warning"
    assert raised[0]["url"] == "/promises/fast"
    assert _short(_found(views, "2026-03-05T12:00:00")) == [
        ("bread", 2, "counter_proposal", "kitchen", None, "2026-03-05T09:00:00+00:00", None)]
    assert _short(_found(views, "2026-03-13T12:00:00", include_cleared=True)) == [
        ("bread", 2, "counter_proposal", "kitchen", None, "2026-03-05T09:00:00+00:00", None),
        ("fast", 1, "proposal", "kitchen", "shop", "2026-03-04T09:00:00+00:00", "2026-03-05T09:00:00+00:00"),
        ("fast", 3, "amendment", "kitchen", "shop", "2026-03-12T09:00:00+00:00", "2026-03-13T10:00:00+00:00")]
    later = _found(views, "2026-04-01T00:00:00", include_cleared=True)
    assert [s["cleared_at"] for s in later if s["because"]["version"] == 3] == ["2026-03-13T10:00:00+00:00"]
    assert {s["id"] for s in later} == {s["id"] for s in _found(views, "2026-03-13T12:00:00", include_cleared=True)}
    assert [s["subject"]["key"] for s in _found(views, "2026-03-12T12:00:00")] == ["fast", "bread"]  # newest first


def test_each_person_sees_the_waiting_proposals_of_their_teams_and_clients(store_url: str, tmp_path: Path) -> None:
    views = tmp_path / "views.duckdb"
    _views(store_url, views)
    at = "2026-03-12T12:00:00"

    def keys(viewer: Viewer, **options: Any) -> list[str]:
        return sorted(s["subject"]["key"] for s in _found(views, at, viewer, **options))

    assert keys(Viewer("ann", council=True)) == ["bread", "fast"]
    assert keys(Viewer("carol", teams=frozenset({"kitchen"}))) == ["bread", "fast"]
    assert keys(Viewer("bob", teams=frozenset({"bakery"}))) == ["bread"]
    assert keys(Viewer("rosa", clients=frozenset({"shop"}))) == ["fast"]
    assert keys(Viewer("eve", teams=frozenset({"other"}))) == []
    assert keys(OPERATOR, team="bakery") == ["bread"] and keys(OPERATOR, client="shop") == ["fast"]


def test_views_rebuilt_from_zero_give_the_signals_kept_up_incrementally(store_url: str, tmp_path: Path) -> None:
    step, whole = tmp_path / "step.duckdb", tmp_path / "whole.duckdb"
    ledger = Ledger.open(store_url)
    try:
        for start, end in ((0, 6), (6, 10), (10, len(LINES))):  # caught up three times as the company happened
            assert import_lines(ledger, jsonl(LINES[start:end]).splitlines()).errors == []
            catch_up(ledger.store, step)
        catch_up(ledger.store, whole)
    finally:
        ledger.close()
    for at in ("2026-03-04T09:00:00", "2026-03-12T12:00:00", "2026-05-01T00:00:00"):
        assert _found(step, at, include_cleared=True) == _found(whole, at, include_cleared=True)
