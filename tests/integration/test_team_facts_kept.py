"""An as-of team answer whose part judged at no moment is kept per latest fact time (``team_view``'s
``remember``, as the server answers) equals the answer computed whole, as of many moments: at events, a second
either side, and hours and days after them, when open complaints' clocks move on with no new fact (their
states and ages are judged anew at each moment).

The demo's sample company on a real DuckDB views file: members joining and leaving, promises negotiated,
amended and retired, readings, complaints answered and resolved under communication rules, ledger entries and
a reward scheme.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from domain.business_time import parse_as_of
from domain.service.answers import AnswerCache
from projections import derived
from projections.fact_time import latest_fact_time
from projections.team_answer import team_view
from projections.timeline import FOREVER, as_of_value
from projections.view_store import connect
from scripts.sample_company import sample_company_commands
from tests.support.views import projected_views

OFFSETS = (timedelta(seconds=-1), timedelta(0), timedelta(seconds=1), timedelta(hours=6), timedelta(days=2))


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Any:
    lines = sample_company_commands()
    views = projected_views(lines, "sqlite", tmp_path_factory.mktemp("kept"))
    teams = sorted({line["team"] for line in lines if line["type"] == "FormTeam"})
    times = sorted({as_of_value(parse_as_of(line["at"])) for line in lines})
    return views, teams, times


def _counting(cache: AnswerCache, computed: list[Hashable]) -> Callable[[Hashable, Callable[[], Any]], Any]:
    def remember(question: Hashable, compute: Callable[[], Any]) -> Any:
        def counted() -> Any:
            computed.append(question)
            return compute()
        return cache.answer(question, 1, 0, counted)
    return remember


def test_a_kept_team_answer_equals_the_whole_one_as_of_every_moment(company: Any) -> None:
    views, teams, times = company
    moments = {t + offset for t in times[:: max(1, len(times) // 8)] for offset in OFFSETS}
    computed: list[Hashable] = []
    remember = _counting(AnswerCache(10_000), computed)
    con = connect(Path(views))
    derived.install(con)
    try:
        # a second either side of open complaints' deadlines: the same facts, a complaint overdue on one side only
        deadlines = sorted({as_of_value(parse_as_of(c[by])) for m in moments for t in teams
                            for c in (team_view(con, t, m) or {}).get("open_complaints", ())
                            for by in ("respond_by", "resolve_by") if c[by]})
        moments |= {d + timedelta(seconds=s) for d in deadlines[:6] for s in (-1, 1)}
        asked = 0
        states: dict[tuple[str, Any], set[Any]] = {}
        for moment in sorted(moments):
            for team in teams:
                whole = team_view(con, team, moment)
                assert team_view(con, team, moment, remember=remember) == whole, (team, moment)
                if whole is not None:
                    states.setdefault((team, latest_fact_time(con, moment)), set()).add(
                        tuple(c["sla"] for c in whole["open_complaints"]))
                assert team_view(con, team, moment, limit=1, offset=1, remember=remember) == \
                    team_view(con, team, moment, limit=1, offset=1), (team, moment)
                asked += 2
        # the kept part was reused across moments with the same latest fact: fewer than one per moment and team
        assert len(computed) == len(set(computed))
        assert len([q for q in computed if q[0] == "team-facts"]) < asked / 2  # type: ignore[index]
        # and open complaints fell due with no new fact: their clocks were judged anew, not kept
        assert any(len(seen) > 1 for seen in states.values())
        for team in teams:  # "now": complaints are judged at the clock's second, which may tick between the two
            assert _ageless(team_view(con, team, FOREVER, remember=remember)) == _ageless(team_view(con, team, FOREVER))
    finally:
        con.close()


def _ageless(view: dict[str, Any] | None) -> Any:
    assert view is not None
    return {**view, "open_complaints": [{**c, "age_seconds": None} for c in view["open_complaints"]]}


def test_the_latest_fact_time_is_the_latest_event_at_or_before_the_moment(company: Any) -> None:
    views, _, times = company
    con = connect(Path(views))
    try:
        assert latest_fact_time(con, times[0] - timedelta(seconds=1)) is None
        for before, after in pairwise(times):
            assert latest_fact_time(con, before) == before
            assert latest_fact_time(con, after - timedelta(microseconds=1)) == before
        assert latest_fact_time(con, FOREVER) == times[-1]
    finally:
        con.close()


def test_every_fact_carries_its_events_business_time(company: Any) -> None:
    """What ``latest_fact_time`` rests on: no fact has a business time that ``event_log`` does not hold."""
    views, _, _ = company
    con = connect(Path(views))
    try:
        tables = [row[0] for row in con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE schema_name = 'main' AND column_name = 'business_at'"
            " AND table_name <> 'event_log' INTERSECT SELECT table_name FROM duckdb_columns()"
            " WHERE column_name = 'position' INTERSECT SELECT table_name FROM duckdb_tables()").fetchall()]
        assert {"feedback", "feedback_responses", "team_membership", "ledger_entries", "readings"} <= set(tables)
        for table in tables:
            (strays,) = con.execute(
                f"SELECT count(*) FROM {table} f ANTI JOIN event_log e"
                " ON e.position = f.position AND e.business_at = f.business_at").fetchone() or (0,)
            assert strays == 0, table
    finally:
        con.close()
