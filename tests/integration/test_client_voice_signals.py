"""docs/brief.md §9 client_voice_shift on real stores: a planted rise in one team's complaints is raised at the
end of its week (not before), seen by that team, the client's side and the council only, and SQLite and
PostgreSQL stores (one projected at once, one incrementally) give the same signals at every as-of time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain.service.ledger import Ledger
from projections import read_rules
from projections.retro import retrospective
from projections.signals.active import signals_as_of
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.read_company import LINES

FIRST_WEEK = datetime(2026, 2, 2)  # a Monday
STABLE = [3, 2, 4, 3, 2, 3, 4, 2, 3, 3]
RISE_WEEK = FIRST_WEEK + timedelta(weeks=len(STABLE))
RISE_END = RISE_WEEK + timedelta(weeks=1)


def _complaints() -> list[dict[str, Any]]:
    """Delivery's complaints from shop: a steady few a week, then 12 in the week of 13 April, then 2 a week."""
    lines = []
    for week, count in enumerate([*STABLE, 12, 2, 2]):
        for n in range(count):
            at = (FIRST_WEEK + timedelta(weeks=week, days=n % 5, hours=9 + n)).isoformat() + "Z"
            lines.append({"type": "RecordFeedback", "id": f"cv-{week}-{n}", "feedback_id": f"cv-{week}-{n}",
                          "client": "shop", "kind": "complaint", "channel": "app", "text": "Parcel late again",
                          "team": "delivery", "occurred_at": at, "at": at})
    return lines


def _views(store_url: str, views: Path, batches: list[list[dict[str, Any]]]) -> Path:
    ledger = Ledger.open(store_url)
    try:
        for batch in batches:
            assert import_lines(ledger, jsonl(batch).splitlines()).errors == []
            catch_up(ledger.store, views)
    finally:
        ledger.close()
    return views


def _seen(views: Path, person: str, as_of: datetime) -> list[dict[str, Any]]:
    con = connect(views)
    try:
        found = signals_as_of(con, as_of, read_rules.viewer_of(con, person), include_cleared=True)
        return [s.as_json() for s in found if s.kind == "client_voice_shift"]
    finally:
        con.close()


def test_a_planted_rise_is_raised_at_its_weeks_end_for_those_who_can_act(store_url: str, tmp_path: Path) -> None:
    views = _views(store_url, tmp_path / "views.duckdb", [[*LINES, *_complaints()]])
    assert _seen(views, "cora", RISE_END - timedelta(seconds=1)) == []
    council = _seen(views, "cora", RISE_END)
    assert {(s["subject"]["type"], s["subject"]["key"]) for s in council} == {("team", "delivery"), ("client", "shop")}
    team = next(s for s in council if s["subject"]["type"] == "team")
    assert team["raised_at"] == "2026-04-20T00:00:00+00:00" and team["team"] == "delivery"
    assert team["because"]["week"] == "2026-04-13" and team["because"]["value"] == 12
    assert team["because"]["series"] == "count" and team["url"] == "/teams/delivery"
    assert team["severity"] == "warning" and "cleared_at" not in team
    assert _seen(views, "lena", RISE_END) == _seen(views, "max", RISE_END) == council  # delivery's members
    assert [s["subject"]["key"] for s in _seen(views, "rex", RISE_END)] == ["shop"]  # shop's representative
    assert _seen(views, "kim", RISE_END) == _seen(views, "mia", RISE_END) == []  # kitchen, another client
    cleared = _seen(views, "cora", RISE_END + timedelta(weeks=4))
    assert {s["cleared_at"] for s in cleared} == {"2026-04-27T00:00:00+00:00"}  # 2 complaints: back at the centre


def test_sqlite_and_postgresql_give_the_same_signals(sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    planted = _complaints()
    at_once = _views(sqlite_url, tmp_path / "sqlite.duckdb", [[*LINES, *planted]])
    halves = _views(postgres_url, tmp_path / "postgres.duckdb", [[*LINES, *planted[:30]], planted[30:]])
    for as_of in (RISE_END - timedelta(hours=1), RISE_END, RISE_END + timedelta(weeks=3)):
        assert _seen(at_once, "cora", as_of) == _seen(halves, "cora", as_of)
    assert len(_seen(at_once, "cora", RISE_END)) == 2


def test_the_retrospective_lists_the_signals_raised_in_its_window_for_its_team(sqlite_url: str,
                                                                                tmp_path: Path) -> None:
    views = _views(sqlite_url, tmp_path / "views.duckdb", [[*LINES, *_complaints()]])
    con = connect(views)
    try:
        def kinds(team: str, start: datetime, end: datetime) -> list[tuple[str, str]]:
            return [(s["kind"], s["subject"]["key"]) for s in retrospective(con, team, start, end)["signals"]
                    if s["kind"] == "client_voice_shift"]

        assert kinds("delivery", FIRST_WEEK, RISE_END) == [("client_voice_shift", "shop"),
                                                           ("client_voice_shift", "delivery")]
        assert kinds("delivery", FIRST_WEEK, RISE_END - timedelta(seconds=1)) == []  # not raised yet
        assert kinds("delivery", RISE_END, RISE_END + timedelta(weeks=8)) == []  # raised before the window
        assert kinds("kitchen", FIRST_WEEK, RISE_END + timedelta(weeks=8)) == []
        later = retrospective(con, "delivery", FIRST_WEEK, RISE_END + timedelta(weeks=8))["signals"]
        assert {s["cleared_at"] for s in later if s["kind"] == "client_voice_shift"} == {"2026-04-27T00:00:00+00:00"}
    finally:
        con.close()
