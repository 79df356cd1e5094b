"""docs/brief.md §9 client_voice_shift from the views: weekly series per team and client in SQL, raised at the
end of the week that tripped a rule, cleared at the end of the week back at the centre."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pytest

from projections.signals.client_voice import client_voice_shifts
from projections.timeline import FOREVER
from projections.view_store import ensure_schema

MONDAY = datetime(2026, 1, 5)
RISE_WEEK = 12


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    ensure_schema(connection)
    yield connection
    connection.close()


def _feedback(con: duckdb.DuckDBPyConnection, weekly: list[int], *, team: str | None = "kitchen",
              client: str = "households", kind: str = "complaint", rating: float | None = None) -> None:
    rows: list[tuple[object, ...]] = []
    for week, n in enumerate(weekly):
        for i in range(n):
            at = MONDAY + timedelta(weeks=week, hours=1 + i)
            rows.append((len(rows), at, f"{client}-{kind}-{week}-{i}", client, kind, "app", "", rating, team, None, at,
                         None))
    con.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _stable_then_doubled() -> list[int]:
    rng = np.random.default_rng(7)
    return [*rng.poisson(10, RISE_WEEK).tolist(), 30, 28, 31, 9, 10]


def test_a_rise_is_raised_at_the_end_of_its_week_for_the_team_and_the_client(con: duckdb.DuckDBPyConnection) -> None:
    _feedback(con, _stable_then_doubled())
    rise_end = MONDAY + timedelta(weeks=RISE_WEEK + 1)
    assert client_voice_shifts(con, rise_end - timedelta(seconds=1)) == []
    found = {(s.subject_type, s.subject_key): s for s in client_voice_shifts(con, rise_end)}
    assert set(found) == {("team", "kitchen"), ("client", "households")}
    team, client = found[("team", "kitchen")], found[("client", "households")]
    assert team.raised_at == rise_end and team.team == "kitchen" and team.client is None
    assert team.path == "/teams/kitchen" and client.path == "/clients/households"
    assert client.client == "households" and client.team is None and client.audience_teams == {"kitchen"}
    assert team.because["series"] == "count" and team.because["week"] == "2026-03-30"
    assert team.because["value"] == 30 and isinstance(team.because["value"], int) and team.because["rule"] == 1
    assert set(team.because["limits"]) == {"center", "lnpl", "unpl"}
    assert team.cleared_at is None and team.episode == "count:2026-03-30"


def test_the_episode_clears_at_the_end_of_the_week_back_at_the_centre(con: duckdb.DuckDBPyConnection) -> None:
    _feedback(con, _stable_then_doubled())
    later = MONDAY + timedelta(weeks=30)
    (team,) = [s for s in client_voice_shifts(con, later) if s.subject_type == "team"]
    assert team.cleared_at == MONDAY + timedelta(weeks=RISE_WEEK + 4)  # the week of 9 complaints is over
    assert team.raised_at == MONDAY + timedelta(weeks=RISE_WEEK + 1)


def test_a_falling_mean_rating_is_a_shift_and_a_rising_one_is_not(con: duckdb.DuckDBPyConnection) -> None:
    for week, rating in enumerate([8.0, 9.0, 8.0, 8.5, 9.0, 8.0, 8.5, 9.0, 8.0, 8.5, 3.0]):
        _feedback(con, [0] * week + [1], kind="rating", rating=rating, client=f"c{week}", team="bakery")
    found = client_voice_shifts(con, MONDAY + timedelta(weeks=12))
    (team,) = [s for s in found if s.subject_type == "team"]
    assert team.because["series"] == "rating" and team.because["value"] == 3.0 and team.because["week"] == "2026-03-16"


def test_feedback_naming_no_team_counts_for_its_client_only(con: duckdb.DuckDBPyConnection) -> None:
    _feedback(con, _stable_then_doubled(), team=None)
    found = client_voice_shifts(con, MONDAY + timedelta(weeks=RISE_WEEK + 1))
    assert [(s.subject_type, s.audience_teams) for s in found] == [("client", frozenset())]


def test_a_quiet_client_complaining_twice_in_a_week_is_no_shift(con: duckdb.DuckDBPyConnection) -> None:
    _feedback(con, [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0])
    assert client_voice_shifts(con, MONDAY + timedelta(weeks=12)) == []


def test_asked_for_everything_recorded_it_answers_as_of_now(con: duckdb.DuckDBPyConnection) -> None:
    _feedback(con, _stable_then_doubled())
    assert client_voice_shifts(con, FOREVER) == client_voice_shifts(con, datetime.now(UTC).replace(tzinfo=None))
    assert len(client_voice_shifts(con, FOREVER)) == 2
