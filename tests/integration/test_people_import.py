"""docs/brief.md §5's commands through the trusted operator's import, and events stored before they existed."""

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
from tests.support.scenario import Scenario

AT = "2026-01-05T09:00:00Z"
LATER = "2026-02-02T09:00:00Z"

PEOPLE_LINES: list[dict[str, Any]] = (
    Scenario(at=AT).person("carol", email="carol@example.com", id="q01").council("carol", id="q02")
    .person("dave", id="q03").council("dave", id="q04").add("DismissCouncil", id="q05", person="dave")
    .team("kitchen", id="q06").member("carol", "chef", lead=True, id="q07").client("diner", id="q08")
    .represent("dave", id="q09").metric("wait", id="q10")
    .add("GrantAuthority", id="q11", team="kitchen", authority="menu", description="Menu")
    .promise("fast", "Food in 10 min", 10, requires=["menu"], id="q12").agreed(id="q13")
    .at(LATER).add("ProposeAmendment", id="q14", promise="fast", changes={"target": 12}, reason="rush")
    .add("AcceptAmendment", id="q15", promise="fast")
    .add("RevokeAuthority", id="q16", team="kitchen", authority="menu", reason="audit")
).lines()


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


# (topic, class version stored now, version written before, fields it lacked, what upcasting gives them)
OLD_FORMS: list[tuple[str, int, int, dict[str, Any]]] = [
    ("Team.MemberAdded", 2, 1, {"lead": False}),
    ("Promise.Proposed", 4, 1, {"requires": [], "consented": ["promisor"], "objective": None}),
    ("Promise.Proposed", 4, 2, {"consented": ["promisor"], "objective": None}),  # §10: the proposer's side consented
    ("Promise.Proposed", 4, 3, {"objective": None}),  # docs/brief.md §9: no objective before it
    ("Promise.CounterProposed", 3, 1, {"side": None, "consented": []}),
    ("Promise.CounterProposed", 3, 2, {"consented": ["promisor"]}),  # (carol, the lead, counter-proposed)
    ("Promise.AmendmentProposed", 2, 1, {"consented": ["promisor"]}),
]


def test_events_stored_before_people_existed_still_load(sqlite_url: str) -> None:
    """Old MemberAdded (no lead), Proposed (no requires), CounterProposed (no side) events are upcast, and
    proposals stored before docs/brief.md §10 (no ``consented``) carry their side's consent, as they did."""
    ledger = Ledger.open(sqlite_url)
    try:
        lines = [line for line in PEOPLE_LINES[:13] if line["type"] not in ("AgreePromise",)]
        lines.append({"type": "CounterPropose", "id": "q20", "promise": "fast", "changes": {"target": 11}, "at": AT,
                      "actor": "carol"})
        lines += [{"type": "AgreePromise", "id": "q21", "promise": "fast", "at": AT},
                  {"type": "ProposeAmendment", "id": "q22", "promise": "fast", "changes": {"target": 12},
                   "reason": "rush", "at": LATER, "actor": "carol"}]
        assert import_lines(ledger, jsonl(lines).splitlines()).errors == []
        for suffix, now, before, upcast in OLD_FORMS:
            stored = _stored(ledger, suffix)
            state = json.loads(stored.state)
            assert state.pop("class_version") == now
            if before > 1:
                state["class_version"] = before
            for name in upcast:
                state.pop(name)
            from eventsourcing.persistence import StoredEvent

            event = ledger.mapper.to_domain_event(StoredEvent(
                originator_id=stored.originator_id, originator_version=stored.originator_version,
                topic=stored.topic, state=json.dumps(state).encode()))
            assert {name: getattr(event, name) for name in upcast} == upcast, (suffix, before)
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
