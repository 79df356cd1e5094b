"""A page's complaint clocks (``clock_rows``, computed in Python from their inputs) equal the company's
(``complaint_clock.clock_sql``, computed in SQL) on any complaint: any durations in force, any first response and
resolution (before or after the deadlines, or each other), any moment judged; in a real DuckDB file."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.answer_rows import dicts
from projections.clock_rows import CLOCK_TIMES, DURATIONS, clocked, durations_in_force
from projections.complaint_clock import INPUTS, clock_inputs_sql, clock_sql
from projections.tables import FACT_TABLES
from projections.team_answer import RULE_FIELDS

START = datetime(2026, 3, 1, 9, 0, 0, 250_000)
TABLES = ("team_rules", "feedback_responses", "feedback_resolutions")
COMPARED = (*CLOCK_TIMES, "sla", "age_seconds", "responded_at", "resolved_at", "response")

offsets = st.builds(lambda minutes, jitter: START + timedelta(minutes=minutes, microseconds=jitter),
                    st.integers(min_value=-120, max_value=3 * 1440).map(lambda m: m - m % 30),
                    st.sampled_from([0, 0, 1, -1, 250_000]))
"""Times on a half-hour grid, some a microsecond off it: deadlines, answers and moments judged often meet."""
durations = st.none() | st.sampled_from([0, 1, 1800, 3600, 4 * 3600, 86_400])
complaint = st.fixed_dictionaries({
    "owner_team": st.sampled_from(["kitchen", "hall", None]),
    "occurred_at": offsets,
    "responded": st.lists(offsets, max_size=2),
    "resolved": st.lists(offsets, max_size=2),
})
rule = st.tuples(st.sampled_from(["kitchen", "hall"]), offsets, durations, durations)


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path_factory.mktemp("clock") / "views.duckdb"))
    for table in FACT_TABLES:
        if table.name in TABLES:
            con.execute(table.ddl())
    return con


def _store(con: duckdb.DuckDBPyConnection, complaints: list[dict[str, object]],
           rules: list[tuple[str, datetime, int | None, int | None]]) -> None:
    for name in TABLES:
        con.execute(f"DELETE FROM {name}")
    for position, (team, at, response, resolution) in enumerate(rules):
        con.execute("INSERT INTO team_rules (position, business_at, team, response_within, response_seconds,"
                    " resolution_within, resolution_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [position, at, team, f"{response}s", response, f"{resolution}s", resolution])
    for i, c in enumerate(complaints):
        for j, at in enumerate(c["responded"]):  # type: ignore[attr-defined]
            con.execute("INSERT INTO feedback_responses (position, business_at, feedback_id, response)"
                        " VALUES (?, ?, ?, ?)", [1000 + 10 * i + j, at, f"f{i}", f"answer {j}"])
        for j, at in enumerate(c["resolved"]):  # type: ignore[attr-defined]
            con.execute("INSERT INTO feedback_resolutions (position, business_at, feedback_id, resolution)"
                        " VALUES (?, ?, ?, 'done')", [2000 + 10 * i + j, at, f"f{i}"])


def _source(complaints: list[dict[str, object]]) -> str:
    rows = ", ".join(
        f"('f{i}', {'NULL' if c['owner_team'] is None else repr(c['owner_team'])}, TIMESTAMP '{c['occurred_at']}')"
        for i, c in enumerate(complaints))
    return f"SELECT * FROM (VALUES {rows}) v(feedback_id, owner_team, occurred_at)"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(complaints=st.lists(complaint, min_size=1, max_size=6), rules=st.lists(rule, max_size=4),
       as_of=offsets, clock=offsets)
def test_the_page_clock_is_the_company_clock(views: duckdb.DuckDBPyConnection, complaints: list[dict[str, object]],
                                             rules: list[tuple[str, datetime, int | None, int | None]],
                                             as_of: datetime, clock: datetime) -> None:
    _store(views, complaints, rules)
    params = {"as_of": as_of}
    source = _source(complaints)
    in_sql = {r["feedback_id"]: r for r in dicts(views.execute(clock_sql(source), {**params, "clock": clock}))}
    inputs = dicts(views.execute(clock_inputs_sql(source), params))
    assert len(inputs) == len(in_sql) == len(complaints)
    for row in inputs:
        assert set(INPUTS) <= set(row)
        in_python = clocked(row, clock)
        assert {k: in_python[k] for k in COMPARED} == {k: in_sql[row["feedback_id"]][k] for k in COMPARED}


def test_every_state_is_reached(views: duckdb.DuckDBPyConnection) -> None:
    """The comparison above sees each state: a clock that is never overdue nor due soon would compare nothing."""
    complaints = [{"owner_team": "kitchen", "occurred_at": START, "responded": [], "resolved": []}]
    _store(views, complaints, [("kitchen", START - timedelta(days=1), 3600, 86_400)])
    (row,) = dicts(views.execute(clock_inputs_sql(_source(complaints)), {"as_of": START + timedelta(days=9)}))
    states = {clocked(row, START + timedelta(minutes=minutes))["sla"] for minutes in (0, 50, 61)}
    assert states == {"on_time", "due_soon", "overdue"}
    assert clocked({**row, "owner_team": None}, START)["sla"] == "none"


def test_the_earlier_answer_counts(views: duckdb.DuckDBPyConnection) -> None:
    """Resolved in half an hour, answered in words later: the resolution answered it, in time (the domain refuses
    a response after a resolution, but the clock does not rely on it)."""
    complaints = [{"owner_team": "kitchen", "occurred_at": START, "responded": [START + timedelta(hours=2)],
                   "resolved": [START + timedelta(minutes=30)]}]
    _store(views, complaints, [("kitchen", START - timedelta(days=1), 3600, 86_400)])
    source, as_of = _source(complaints), {"as_of": START + timedelta(days=9)}
    (row,) = dicts(views.execute(clock_inputs_sql(source), as_of))
    (in_sql,) = dicts(views.execute(clock_sql(source), {**as_of, "clock": START + timedelta(days=9)}))
    assert clocked(row, START + timedelta(days=9))["overdue_at"] is None
    assert in_sql["overdue_at"] is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(complaints=st.lists(complaint, min_size=1, max_size=6), rules=st.lists(rule, max_size=5), as_of=offsets)
def test_a_team_page_finds_the_durations_the_company_clock_finds(
        views: duckdb.DuckDBPyConnection, complaints: list[dict[str, object]],
        rules: list[tuple[str, datetime, int | None, int | None]], as_of: datetime) -> None:
    """A team's page looks up its complaints' durations in the team's rule settings as ``TEAM_CORE`` reads them
    (``durations_in_force``), not in SQL: the same setting as the company's as-of join, also among settings of one
    business time (the last by position) and before the first (none)."""
    _store(views, complaints, rules)
    (settings_read,) = views.execute(f"SELECT list({{{RULE_FIELDS}}} ORDER BY business_at, position) FROM team_rules"
                                     " WHERE team = 'kitchen' AND business_at <= $as_of", {"as_of": as_of}).fetchone()
    owned = [{**c, "owner_team": "kitchen"} for c in complaints]
    for row in dicts(views.execute(clock_inputs_sql(_source(owned)), {"as_of": as_of})):
        assert durations_in_force(settings_read or [], row["occurred_at"]) == {k: row[k] for k in DURATIONS}
