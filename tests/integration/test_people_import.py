"""BRIEF §5's commands through the trusted operator's import, and events stored before they existed."""

from __future__ import annotations

import json
from typing import Any

from domain.base import key_id
from domain.client import Client
from domain.person import Person
from domain.promise import Promise
from domain.service.ledger import Ledger
from domain.team import Team
from scripts.import_file import import_lines
from tests.support.cli import jsonl

AT = "2026-01-05T09:00:00Z"
LATER = "2026-02-02T09:00:00Z"

PEOPLE_LINES: list[dict[str, Any]] = [
    {"type": "RegisterPerson", "id": "q01", "person": "carol", "name": "Carol", "email": "carol@example.com", "at": AT},
    {"type": "AppointCouncil", "id": "q02", "person": "carol", "at": AT},
    {"type": "RegisterPerson", "id": "q03", "person": "dave", "name": "Dave", "at": AT},
    {"type": "AppointCouncil", "id": "q04", "person": "dave", "at": AT},
    {"type": "DismissCouncil", "id": "q05", "person": "dave", "at": AT},
    {"type": "FormTeam", "id": "q06", "team": "kitchen", "name": "Kitchen", "at": AT},
    {"type": "AddMember", "id": "q07", "team": "kitchen", "person": "carol", "role": "chef", "lead": True, "at": AT},
    {"type": "IdentifyClient", "id": "q08", "client": "diner", "name": "Diner", "kind": "external", "at": AT},
    {"type": "RepresentClient", "id": "q09", "client": "diner", "person": "dave", "at": AT},
    {"type": "DefineMetric", "id": "q10", "metric": "wait", "name": "Wait", "unit": "min",
     "direction": "lower_is_better", "at": AT},
    {"type": "GrantAuthority", "id": "q11", "team": "kitchen", "authority": "menu", "description": "Menu", "at": AT},
    {"type": "ProposePromise", "id": "q12", "promise": "fast", "promisor": "kitchen", "promisee": "diner",
     "statement": "Food in 10 min", "metric": "wait", "target": 10, "period": "week", "requires": ["menu"],
     "at": AT},
    {"type": "AgreePromise", "id": "q13", "promise": "fast", "at": AT},
    {"type": "ProposeAmendment", "id": "q14", "promise": "fast", "changes": {"target": 12}, "reason": "rush",
     "at": LATER},
    {"type": "AcceptAmendment", "id": "q15", "promise": "fast", "at": LATER},
    {"type": "RevokeAuthority", "id": "q16", "team": "kitchen", "authority": "menu", "reason": "audit", "at": LATER},
]


def test_people_lines_land_through_the_trusted_import(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        summary = import_lines(ledger, jsonl(PEOPLE_LINES).splitlines())
        assert summary.errors == [] and summary.accepted == len(PEOPLE_LINES)
        get = ledger.repository.get
        assert get(key_id(Person.KIND, "carol")).council is True
        assert get(key_id(Person.KIND, "dave")).council is False
        assert get(key_id(Client.KIND, "diner")).representatives == {"dave"}
        team = get(key_id(Team.KIND, "kitchen"))
        assert team.leads == {"carol"} and team.authorities == {}
        promise = get(key_id(Promise.KIND, "fast"))
        assert (promise.status, promise.target, promise.requires, promise.pending_amendment) == (
            "agreed", 12, ["menu"], None)
        # the amendment's reason carries over to the accepted version
        assert ledger.history(Promise, "fast")[-1].audit.reason == "rush"
    finally:
        ledger.close()


def test_agreement_needs_every_required_authority_even_on_import(sqlite_url: str) -> None:
    lines = [dict(line) for line in PEOPLE_LINES[:13] if line["type"] != "GrantAuthority"]
    ledger = Ledger.open(sqlite_url)
    try:
        summary = import_lines(ledger, jsonl(lines).splitlines())
        assert [e["line"] for e in summary.errors] == [len(lines)]
        assert "requires authority 'menu'" in summary.errors[0]["reason"]
    finally:
        ledger.close()


def _stored(ledger: Ledger, topic_suffix: str) -> Any:
    return next(s for s in ledger.recorder.select_notifications(1, 1000) if s.topic.endswith(topic_suffix))


def test_events_stored_before_people_existed_still_load(sqlite_url: str) -> None:
    """Old MemberAdded (no lead), Proposed (no requires), CounterProposed (no side) events are upcast."""
    ledger = Ledger.open(sqlite_url)
    try:
        lines = [line for line in PEOPLE_LINES[:13] if line["type"] not in ("AgreePromise",)]
        lines.append({"type": "CounterPropose", "id": "q20", "promise": "fast", "changes": {"target": 11}, "at": AT})
        assert import_lines(ledger, jsonl(lines).splitlines()).errors == []
        for suffix, drop in (("Team.MemberAdded", "lead"), ("Promise.Proposed", "requires"),
                             ("Promise.CounterProposed", "side")):
            stored = _stored(ledger, suffix)
            state = json.loads(stored.state)
            assert state.pop("class_version") == 2
            state.pop(drop)
            from eventsourcing.persistence import StoredEvent

            event = ledger.mapper.to_domain_event(StoredEvent(
                originator_id=stored.originator_id, originator_version=stored.originator_version,
                topic=stored.topic, state=json.dumps(state).encode()))
            assert getattr(event, drop) in (False, [], None)
    finally:
        ledger.close()


def test_an_import_line_id_that_looks_like_a_kafka_position_is_still_channel_import(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        lines = [{"type": "FormTeam", "id": "kafka:feedback:0:7", "team": "t", "name": "T", "at": AT},
                 {"type": "FormTeam", "id": "plain-1", "team": "u", "name": "U", "at": AT}]
        assert import_lines(ledger, jsonl(lines).splitlines()).errors == []
        assert [ledger.history(Team, key)[0].audit.source for key in ("t", "u")] == ["import", "import"]
        stored = {json.loads(s.state)["key"]: json.loads(s.state)["audit"]["_data_"]
                  for s in ledger.recorder.select_notifications(1, 10)}
        assert stored["t"]["channel"] == "import" and "channel" not in stored["u"]  # implied, bytes unchanged
    finally:
        ledger.close()
