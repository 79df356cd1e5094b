"""docs/brief.md §9 promise health and the promise signals, on planted promises (``tests.support.cases.promise_health``)
in real stores (SQLite and PostgreSQL): `promise show`'s ``health`` and ``in_progress`` rows, and the
``promise_at_risk``, ``promise_missed`` and ``promise_budget_exhausted`` signals, as of times before and after
each moment that matters (as-of times, never sleeps)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from eventsourcing.persistence import StoredEvent

from domain.audit import Audit
from domain.promise import Promise
from domain.service.ledger import Ledger
from projections import derived
from projections.queries import promise_view
from projections.signals.model import Signal
from projections.signals.promise_at_risk import promises_at_risk
from projections.signals.promise_outcomes import of_kind
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.support.cases.promise_health import HALF_WAY, scenario
from tests.support.ledger import accept
from tests.support.scenario import Scenario
from tests.support.stores import STORES, module_store

Show = Callable[[str, datetime], dict[str, Any]]


def promises_missed(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    return of_kind("promise_missed", con, as_of)


def promises_budget_exhausted(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    return of_kind("promise_budget_exhausted", con, as_of)


@pytest.fixture(scope="module", params=STORES)
def views(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The planted promises in a store of each kind, projected into a views file."""
    directory = tmp_path_factory.mktemp(f"health-{request.param}")
    for store in module_store(request.param, directory):
        ledger = Ledger.open(store)
        try:
            accept(ledger, *scenario().lines())
            catch_up(ledger.store, directory / "views.duckdb")
        finally:
            ledger.close()
        con = connect(directory / "views.duckdb")
        derived.install(con)
        try:
            yield con
        finally:
            con.close()


def show(con: duckdb.DuckDBPyConnection, key: str, as_of: datetime) -> dict[str, Any]:
    view = promise_view(con, key, as_of)
    assert view is not None
    return view


def signals(con: duckdb.DuckDBPyConnection, source: Callable[..., list[Signal]], as_of: datetime,
            promise: str) -> list[Signal]:
    return [s for s in source(con, as_of) if s.subject_key == promise and s.raised_at <= as_of]


def active(found: list[Signal], as_of: datetime) -> list[Signal]:
    return [s for s in found if s.active_at(as_of)]


def test_on_track_with_attainment_and_the_current_period_in_progress(views: Any) -> None:
    view = show(views, "p-track", HALF_WAY)
    assert view["health"] == {
        "current": {"period_start": "2026-03-02", "readings": 3, "value": 95.0, "target": 90.0, "status": "on_track"},
        "attainment": {"periods": 8, "kept": 8, "rate": 1.0, "no_data": 0},  # of 13 weeks, 8 from agreement on
        "objective": None, "budget": None, "missed_in_a_row": 0,
    }
    *done, current = view["compliance"]
    assert current == {"period_start": "2026-03-02", "value": 95.0, "target": 90.0, "kept": None, "in_progress": True}
    assert [(row["kept"], row["in_progress"]) for row in done] == [(True, False)] * 8
    # at the week's first instant nothing is read yet; a week later the week is judged (kept), no longer in progress
    assert show(views, "p-track", datetime(2026, 3, 2))["health"]["current"]["status"] == "no_data"
    later = show(views, "p-track", datetime(2026, 3, 9, 0, 0, 1))
    assert (later["compliance"][-1]["kept"], later["compliance"][-1]["in_progress"]) == (True, False)
    assert later["health"]["attainment"]["periods"] == 9


def test_health_is_null_unless_agreed(views: Any) -> None:
    talk = show(views, "p-talk", HALF_WAY)
    assert (talk["status"], talk["objective"], talk["health"]) == ("proposed", 1.0, None)
    assert [s for s in promises_missed(views, HALF_WAY) if s.subject_key == "p-talk"] == []


def test_at_risk_exactly_at_half_the_period_with_three_readings(views: Any) -> None:
    just_before = datetime(2026, 3, 5, 11, 59, 59)
    assert show(views, "p-risk", just_before)["health"]["current"]["status"] == "on_track"
    assert active(signals(views, promises_at_risk, just_before, "p-risk"), just_before) == []
    current = show(views, "p-risk", HALF_WAY)["health"]["current"]
    assert (current["status"], current["readings"], current["value"]) == ("at_risk", 3, 80.0)
    (raised,) = active(signals(views, promises_at_risk, HALF_WAY, "p-risk"), HALF_WAY)
    assert (raised.raised_at, raised.episode, raised.severity) == (HALF_WAY, "2026-03-02", "warning")
    assert (raised.team, raised.teams, raised.client, raised.path) == ("ops", frozenset({"kitchen"}), None,
                                                                     "/promises/p-risk")
    assert raised.as_json()["because"] == {"period_start": "2026-03-02", "target": 90.0, "value": 80.0,
                                           "readings": 3}
    # Friday's reading of 150 brings the mean to 97.5: cleared at that reading, the same episode and id
    friday = datetime(2026, 3, 6, 12, 0)
    assert show(views, "p-risk", friday)["health"]["current"]["status"] == "on_track"
    (cleared,) = signals(views, promises_at_risk, friday, "p-risk")
    assert (cleared.id, cleared.raised_at, cleared.cleared_at) == (raised.id, HALF_WAY, datetime(2026, 3, 6, 10))
    assert not cleared.active_at(friday)


def test_not_at_risk_with_two_readings(views: Any) -> None:
    friday = datetime(2026, 3, 6, 23, 0)
    current = show(views, "p-two", friday)["health"]["current"]
    assert (current["status"], current["readings"], current["value"]) == ("on_track", 2, 80.0)
    assert signals(views, promises_at_risk, friday, "p-two") == []
    # a week without a reading is left out of the periods and counted as no data
    attainment = show(views, "p-two", friday)["health"]["attainment"]
    assert attainment == {"periods": 7, "kept": 7, "rate": 1.0, "no_data": 1}


def test_a_third_reading_after_half_the_period_raises_at_its_time(views: Any) -> None:
    friday = datetime(2026, 3, 6, 12, 0)
    (raised,) = signals(views, promises_at_risk, friday, "p-third")
    assert (raised.raised_at, raised.cleared_at) == (datetime(2026, 3, 6, 9), None)
    assert show(views, "p-third", friday)["health"]["current"]["status"] == "at_risk"
    # the period ends: cleared then, and the next week is a new period with no reading
    monday = datetime(2026, 3, 9, 1, 0)
    (ended,) = signals(views, promises_at_risk, monday, "p-third")
    assert ended.cleared_at == datetime(2026, 3, 9)
    assert show(views, "p-third", monday)["health"]["current"]["status"] == "no_data"


def test_missed_is_raised_at_the_period_end_and_clears_a_period_later(views: Any) -> None:
    view = show(views, "p-missed", HALF_WAY)
    assert view["objective"] == 0.75
    health = view["health"]
    assert health["attainment"] == {"periods": 8, "kept": 7, "rate": 0.875, "no_data": 0}
    assert (health["objective"], health["budget"], health["missed_in_a_row"]) == (
        0.75, {"allowed_misses": 2, "misses": 1, "left": 1}, 1)
    (missed,) = signals(views, promises_missed, HALF_WAY, "p-missed")
    assert (missed.episode, missed.raised_at, missed.cleared_at, missed.severity) == (
        "2026-02-23", datetime(2026, 3, 2), None, "critical")
    assert (missed.client, missed.teams) == ("shop", frozenset())
    assert missed.as_json()["because"] == {"period_start": "2026-02-23", "target": 90.0, "value": 80.0, "readings": 1}
    assert signals(views, promises_missed, datetime(2026, 3, 1, 23, 59), "p-missed") == []  # not over yet
    (later,) = signals(views, promises_missed, datetime(2026, 3, 10), "p-missed")
    assert later.cleared_at == datetime(2026, 3, 9)
    assert signals(views, promises_budget_exhausted, HALF_WAY, "p-missed") == []  # a miss within the budget


def test_budget_exhausted_then_given_back_by_an_amended_objective(views: Any) -> None:
    tuesday = datetime(2026, 3, 3, 12, 0)
    health = show(views, "p-budget", tuesday)["health"]
    assert (health["objective"], health["budget"], health["missed_in_a_row"]) == (
        0.9, {"allowed_misses": 0, "misses": 2, "left": -2}, 2)
    (exhausted,) = signals(views, promises_budget_exhausted, tuesday, "p-budget")
    assert (exhausted.raised_at, exhausted.episode, exhausted.cleared_at, exhausted.severity) == (
        datetime(2026, 2, 23), "2026-02-23", None, "critical")
    assert exhausted.as_json()["because"] == {"period_start": "2026-02-23", "objective": 0.9, "periods": 7,
                                              "misses": 1, "allowed_misses": 0, "left": -1}
    assert signals(views, promises_budget_exhausted, datetime(2026, 2, 22, 23, 59), "p-budget") == []
    after = show(views, "p-budget", HALF_WAY)
    assert (after["objective"], after["health"]["budget"]) == (0.5, {"allowed_misses": 4, "misses": 2, "left": 2})
    (cleared,) = signals(views, promises_budget_exhausted, HALF_WAY, "p-budget")
    assert (cleared.id, cleared.cleared_at) == (exhausted.id, datetime(2026, 3, 4))
    assert after["history"][-1]["changes"] == {"objective": 0.5}


def test_signals_replay_as_of_any_time(views: Any, tmp_path: Path) -> None:
    """The same as-of time gives the same signals, whatever was recorded after it."""
    def every(as_of: datetime) -> set[tuple[str, str, datetime, datetime | None]]:
        return {(s.id, s.kind, s.raised_at, s.cleared_at)
                for source in (promises_at_risk, promises_missed, promises_budget_exhausted)
                for s in source(views, as_of)}

    assert every(HALF_WAY) == every(HALF_WAY)
    assert {kind for _, kind, _, _ in every(HALF_WAY)} == {"promise_at_risk", "promise_missed",
                                                           "promise_budget_exhausted"}


@pytest.mark.parametrize("value", [0, 1.5, "x"])
def test_an_objective_outside_0_to_1_is_refused_naming_it(value: object) -> None:
    ledger = Ledger.open("memory://")
    try:
        setup = Scenario(at="2026-01-01T00:00:00Z").team("ops").client("shop").metric("m").promise("p", "s", 90)
        assert import_lines(ledger, [json.dumps(line) for line in setup.lines()]).errors == []
        propose = {**setup.lines()[-1], "promise": "q", "objective": value}
        changes = [{"type": kind, "promise": "p", "changes": {"objective": value}, "reason": "r"}
                   for kind in ("CounterPropose", "ProposeAmendment", "AmendPromise")]
        refused = import_lines(ledger, [json.dumps(line) for line in (propose, *changes)]).errors
        assert [error["reason"].split(":")[0] for error in refused] == ["objective", *["changes.objective"] * 3]
    finally:
        ledger.close()


def test_a_store_written_before_objectives_still_loads(store_url: str, tmp_path: Path) -> None:
    """A proposal stored as version 3 of its event (no ``objective``) is read as one without an objective; the
    promise is agreed and amended to one as any other."""
    ledger = Ledger.open(store_url)
    try:
        setup = Scenario(at="2026-01-01T00:00:00Z").team("ops").client("shop").metric("m").lines()
        assert import_lines(ledger, [json.dumps(line) for line in setup]).errors == []
        proposal = Promise(key="old", promisor="ops", promisee="shop", statement="s", metric="m", target=90.0,
                           period="week", parent=None, requires=[], consented=["promisor"],
                           audit=Audit(at=datetime(2026, 1, 1, tzinfo=UTC)))
        stored = ledger.mapper.to_stored_event(proposal.collect_events()[0])
        state = json.loads(stored.state)
        assert state.pop("objective") is None
        state["class_version"] = 3
        ledger.recorder.insert_events([StoredEvent(
            originator_id=stored.originator_id, originator_version=stored.originator_version, topic=stored.topic,
            state=json.dumps(state).encode())])
        assert ledger.repository.get(proposal.id).objective is None
        later = [{"type": "AgreePromise", "promise": "old", "at": "2026-01-02T00:00:00Z"},
                 {"type": "AmendPromise", "promise": "old", "changes": {"objective": 0.8}, "reason": "r",
                  "at": "2026-01-03T00:00:00Z"}]
        assert import_lines(ledger, [json.dumps(line) for line in later]).errors == []
        catch_up(ledger.store, tmp_path / "views.duckdb")
    finally:
        ledger.close()
    con = connect(tmp_path / "views.duckdb")
    try:
        derived.install(con)
        first = show(con, "old", datetime(2026, 1, 2, 12))
        assert (first["objective"], first["health"]["budget"]) == (None, None)
        assert "objective" not in first["history"][0]["changes"]
        assert show(con, "old", datetime(2026, 1, 4))["health"]["budget"] == {
            "allowed_misses": 0, "misses": 0, "left": 0}
    finally:
        con.close()


def every_signal(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[dict[str, Any]]:
    found = [*promises_at_risk(con, as_of), *of_kind("promise_missed", con, as_of),
             *of_kind("promise_budget_exhausted", con, as_of)]
    return sorted((s.as_json() for s in found), key=lambda s: (s["id"], s["raised_at"]))


@pytest.mark.postgres
def test_rebuilt_and_incremental_views_and_both_stores_give_the_same_signals(tmp_path: Path) -> None:
    """Signals are a query of the views as of a time: views caught up in two steps equal views rebuilt from zero,
    and a SQLite store equals a PostgreSQL one, at every as-of time."""
    lines = scenario().lines()
    half = len(lines) // 2
    moments = [datetime(2026, 2, 23), datetime(2026, 3, 3, 12), HALF_WAY, datetime(2026, 3, 6, 12),
               datetime(2026, 3, 10)]
    answers = []
    for kind in ("sqlite", "postgres"):
        (tmp_path / kind).mkdir()
        for store in module_store(kind, tmp_path / kind):
            ledger = Ledger.open(store)
            try:
                accept(ledger, *lines[:half])
                catch_up(ledger.store, tmp_path / kind / "incremental.duckdb")
                accept(ledger, *lines[half:])
                catch_up(ledger.store, tmp_path / kind / "incremental.duckdb")
                catch_up(ledger.store, tmp_path / kind / "rebuilt.duckdb")
            finally:
                ledger.close()
            for name in ("incremental", "rebuilt"):
                con = connect(tmp_path / kind / f"{name}.duckdb")
                derived.install(con)
                try:
                    answers.append([every_signal(con, moment) for moment in moments])
                finally:
                    con.close()
    assert answers[0][2]  # signals there are
    assert all(answer == answers[0] for answer in answers)
