"""Complaint response times (docs/brief.md §9) on real stores: deadlines from the durations in force when the
complaint occurred, the state as time passes (as-of times, never sleeps), responding and resolving, assigning a
complaint that names no team, and the due-soon and overdue signals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER
from domain.read_policy import Viewer
from domain.service.ledger import Ledger
from projections.client_view import client_view
from projections.queries import team_view
from projections.signals.active import signals_as_of
from tests.support.scenario import Scenario

AT = "2026-03-01T00:00:00Z"


def _complaint(feedback_id: str, occurred_at: str, **fields: Any) -> dict[str, Any]:
    return {"feedback_id": feedback_id, "client": "shop", "kind": "complaint", "channel": "app",
            "text": f"text of {feedback_id}", "occurred_at": occurred_at, "at": occurred_at, "team": "ops", **fields}


def _scenario() -> Scenario:
    s = (Scenario(at=AT).person("lena", "Lena").person("otto", "Otto").person("cora", "Cora").council("cora")
         .team("ops").member("lena", lead=True).team("web").member("otto").client("shop", "The Shop")
         .add("SetCommunicationRules", team="ops", rules=["Answer within 2 hours"],
              complaint_response_within="PT2H", complaint_resolution_within="P1D"))
    s.add("RecordFeedback", **_complaint("c-old", "2026-03-02T10:00:00Z"))
    # the rules change later: c-old keeps the deadlines of the rules in force when it occurred
    s.add("SetCommunicationRules", team="ops", rules=["Answer within 4 hours"], complaint_response_within="PT4H",
          at="2026-03-02T11:00:00Z")
    s.add("RecordFeedback", **_complaint("c-new", "2026-03-02T12:00:00Z"))
    s.add("RespondToFeedback", feedback_id="c-new", response="We are on it", at="2026-03-02T13:00:00Z")
    s.add("RecordFeedback", **_complaint("c-done", "2026-03-02T12:00:00Z"))
    s.add("RespondToFeedback", feedback_id="c-done", response="Looking", at="2026-03-02T12:30:00Z")
    s.add("ResolveFeedback", feedback_id="c-done", resolution="Refunded", at="2026-03-02T15:00:00Z")
    s.add("RecordFeedback", **_complaint("c-lost", "2026-03-02T12:00:00Z", team=None))
    return s


@pytest.fixture
def views(store_url: str) -> Iterator[duckdb.DuckDBPyConnection]:
    from projections.runner import ProjectionRunner

    ledger = Ledger.open(store_url)
    con = duckdb.connect(":memory:")
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in _scenario().lines()])
        assert result.rejected == [], result.rejected
        ProjectionRunner(ledger.store, con).catch_up(refresh=False)
        yield con
    finally:
        con.close()
        ledger.close()


def _open(con: duckdb.DuckDBPyConnection, when: str) -> dict[str, dict[str, Any]]:
    view = team_view(con, "ops", datetime.fromisoformat(when))
    assert view is not None
    return {c["feedback_id"]: c for c in view["open_complaints"]}


def test_a_complaint_is_on_time_then_due_soon_then_overdue_as_time_passes(views: duckdb.DuckDBPyConnection) -> None:
    old = _open(views, "2026-03-02T11:00:00")["c-old"]
    assert (old["sla"], old["age_seconds"], old["respond_by"], old["resolve_by"], old["responded_at"]) == (
        "on_time", 3600, "2026-03-02T12:00:00+00:00", "2026-03-03T10:00:00+00:00", None)
    assert _open(views, "2026-03-02T11:30:00")["c-old"]["sla"] == "due_soon"  # 75% of 2 hours used
    assert _open(views, "2026-03-02T11:29:59")["c-old"]["sla"] == "on_time"
    assert _open(views, "2026-03-02T12:00:01")["c-old"]["sla"] == "overdue"
    assert _open(views, "2026-03-05T00:00:00")["c-old"]["sla"] == "overdue"


def test_the_durations_in_force_when_it_occurred_set_its_deadlines(views: duckdb.DuckDBPyConnection) -> None:
    view = team_view(views, "ops", datetime(2026, 3, 2, 12, 0))
    assert view is not None
    assert (view["complaint_response_within"], view["complaint_resolution_within"]) == ("PT4H", "P1D")  # kept
    assert view["communication_rules"] == ["Answer within 4 hours"]
    complaints = {c["feedback_id"]: c for c in view["open_complaints"]}
    assert complaints["c-old"]["respond_by"] == "2026-03-02T12:00:00+00:00"  # 2 hours, as when it occurred
    assert complaints["c-new"]["respond_by"] == "2026-03-02T16:00:00+00:00"  # 4 hours, the rules since


def test_after_a_response_the_resolution_deadline_is_followed(views: duckdb.DuckDBPyConnection) -> None:
    new = _open(views, "2026-03-02T14:00:00")["c-new"]
    assert (new["responded_at"], new["response"], new["sla"]) == ("2026-03-02T13:00:00+00:00", "We are on it",
                                                                 "on_time")
    assert _open(views, "2026-03-03T06:00:00")["c-new"]["sla"] == "due_soon"  # 18 of 24 hours
    assert _open(views, "2026-03-03T12:00:01")["c-new"]["sla"] == "overdue"


def test_resolved_complaints_keep_their_response_and_resolution_times(views: duckdb.DuckDBPyConnection) -> None:
    view = team_view(views, "ops", datetime(2026, 3, 4))
    assert view is not None and view["resolved_complaints_count"] == 1
    [done] = view["resolved_complaints"]
    assert (done["feedback_id"], done["response_seconds"], done["resolution_seconds"], done["deadline_missed"],
            done["resolution"], done["response"]) == ("c-done", 1800, 10800, False, "Refunded", "Looking")
    assert "c-done" not in _open(views, "2026-03-04T00:00:00")
    client = client_view(views, "shop", datetime(2026, 3, 2, 11, 45))
    assert client is not None
    assert {c["feedback_id"]: c["sla"] for c in client["open_complaints"]} == {"c-old": "due_soon"}


def test_a_complaint_without_a_team_has_no_deadline(views: duckdb.DuckDBPyConnection) -> None:
    client = client_view(views, "shop", datetime(2026, 3, 4))
    assert client is not None
    lost = next(c for c in client["open_complaints"] if c["feedback_id"] == "c-lost")
    assert (lost["team"], lost["sla"], lost["respond_by"]) == (None, "none", None)


COUNCIL = Viewer(person="cora", council=True)


def test_signals_are_raised_by_time_alone_and_cleared_by_response_and_resolution(
        views: duckdb.DuckDBPyConnection) -> None:
    def kinds(when: str) -> set[tuple[str, str]]:
        return {(s.kind, s.subject_key) for s in signals_as_of(views, datetime.fromisoformat(when), COUNCIL)}

    assert kinds("2026-03-02T11:29:00") == set()
    assert kinds("2026-03-02T11:30:00") == {("complaint_due_soon", "c-old")}
    assert kinds("2026-03-02T12:00:00") == {("complaint_overdue", "c-old")}
    # c-new answered at 13:00, an hour into its 4: never due soon for its response
    assert ("complaint_due_soon", "c-new") in kinds("2026-03-03T06:00:00")
    found = signals_as_of(views, datetime(2026, 3, 5), COUNCIL, include_cleared=True)
    overdue = next(s for s in found if s.kind == "complaint_overdue" and s.subject_key == "c-old")
    assert (overdue.team, overdue.client, overdue.severity, overdue.cleared_at) == ("ops", "shop", "critical", None)
    assert overdue.because == {"feedback_id": "c-old", "deadline": "response", "due_at": "2026-03-02T12:00:00+00:00",
                               "overdue_seconds": 216000}
    assert overdue.path == "/teams/ops#complaints"
    soon = next(s for s in found if s.kind == "complaint_due_soon" and s.subject_key == "c-old")
    assert soon.cleared_at == datetime(2026, 3, 2, 12, 0)  # it became overdue
    assert not any(s.subject_key == "c-done" for s in found)  # answered and resolved in time
    assert len({s.id for s in found}) == len(found)


# The commands: durations at the edge, who may respond and assign, and old stored events --------------------------

@pytest.mark.parametrize("bad", ["2 hours", "PT0S", "-PT2H", "P1M", "P1Y", "P400D", "PT", ""])
def test_a_bad_duration_is_refused_naming_the_field(bad: str) -> None:
    from pydantic import ValidationError

    from domain.commands import describe_errors

    line = {"type": "SetCommunicationRules", "team": "ops", "rules": ["r"], "complaint_resolution_within": bad}
    with pytest.raises(ValidationError) as refused:
        COMMAND_ADAPTER.validate_python(line)
    assert describe_errors(refused.value).startswith("complaint_resolution_within: ")


def _run(ledger: Ledger, person: str | None, **line: Any) -> Any:
    from domain.service.ledger import Acting

    when = {} if person else {"at": "2026-03-03T00:00:00Z"}  # a person's command takes the server's now
    command = COMMAND_ADAPTER.validate_python({**when, **line})
    return ledger.execute([command], acting=Acting(person, "api") if person else None)


def test_durations_stay_until_set_again_and_null_removes_one(ledger: Ledger) -> None:
    from domain.base import key_id
    from domain.team import Team

    assert ledger.execute(_scenario().commands()).rejected == []
    def team() -> dict[str, str | None]:
        found: Team = ledger.repository.get(key_id(Team.KIND, "ops"))
        return found.complaint_times

    assert team() == {"complaint_response_within": "PT4H", "complaint_resolution_within": "P1D"}
    assert _run(ledger, None, type="SetCommunicationRules", team="ops", rules=["Be kind"]).rejected == []
    assert team() == {"complaint_response_within": "PT4H", "complaint_resolution_within": "P1D"}  # left out: kept
    assert _run(ledger, None, type="SetCommunicationRules", team="ops", rules=["Be kind"],
                complaint_resolution_within=None, complaint_response_within="P1W").rejected == []
    assert team() == {"complaint_response_within": "P7D", "complaint_resolution_within": None}  # canonical text


def test_who_may_respond_and_assign(ledger: Ledger) -> None:
    assert ledger.execute(_scenario().commands()).rejected == []
    refused = _run(ledger, "otto", type="RespondToFeedback", feedback_id="c-old", response="Hello")
    assert [f[1] for f in refused.forbidden] == ["RespondToFeedback: members of the team concerned"]
    again = _run(ledger, "lena", type="RespondToFeedback", feedback_id="c-new", response="Again")
    assert "already responded" in again.rejected[0][1]
    after = _run(ledger, "lena", type="RespondToFeedback", feedback_id="c-done", response="Late")
    assert "already" in after.rejected[0][1]
    # a complaint that names no team: a member takes it for their own team only; the council gives any
    other = _run(ledger, "lena", type="AssignFeedback", feedback_id="c-lost", team="web")
    assert [f[1] for f in other.forbidden] == ["AssignFeedback: council, or a member taking it for their own team"]
    assert _run(ledger, "otto", type="AssignFeedback", feedback_id="c-lost", team="web").rejected == []
    taken = _run(ledger, "cora", type="AssignFeedback", feedback_id="c-lost", team="ops")
    assert "already has a team" in taken.rejected[0][1]
    named = _run(ledger, "cora", type="AssignFeedback", feedback_id="c-old", team="web")
    assert "already has a team" in named.rejected[0][1]


def test_rules_stored_before_complaint_durations_load_and_project_with_none(ledger: Ledger) -> None:
    import json

    from eventsourcing.persistence import StoredEvent

    from projections.projector import Projector

    assert ledger.execute(_scenario().commands()).rejected == []
    stored = next(s for s in ledger.recorder.select_notifications(1, 1000)
                  if s.topic.endswith("Team.CommunicationRulesSet"))
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    state.pop("complaint_times")  # as the code before complaint response times wrote it
    old = StoredEvent(originator_id=stored.originator_id, originator_version=stored.originator_version,
                      topic=stored.topic, state=json.dumps(state).encode())
    event: Any = ledger.mapper.to_domain_event(old)
    assert event.complaint_times == {"complaint_response_within": None, "complaint_resolution_within": None}
    oid = str(stored.originator_id).replace("-", "")
    projector = Projector(lambda oids: {oid: "ops"}, lambda oids: {})
    projector.project([(1, oid, stored.originator_version, stored.topic, old.state)])
    [row] = projector.rows["team_rules"]
    assert row[2:] == ("ops", '["Answer within 2 hours"]', None, None, None, None)
