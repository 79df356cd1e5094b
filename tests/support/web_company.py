"""A small company for the browser tests: three teams, a council, two clients (one with a representative, rosa),
history across two months.

As of 2026-01-15 team `delivery` has two members (lena, max) and promise `p-kitchen-ready` is
`proposed`; from 2026-02-01 ivan is a member too, and the promise is `agreed` from 2026-02-05.
"""

from __future__ import annotations

from typing import Any

from tests.support.clock import ago
from tests.support.scenario import Scenario

PEOPLE = {"cora": "Cora Council", "lena": "Lena Lead", "max": "Max Member", "ivan": "Ivan Later",
          "kim": "Kim Kitchen", "olga": "Olga Outsider", "feeder": "Support Desk", "rosa": "Rosa Representative"}
TOKENS = {"cora": "write", "lena": "write", "max": "write", "kim": "write", "olga": "write", "feeder": "ingest",
          "rosa": "write"}


def _preamble() -> Scenario:
    """The people and the council, three teams and their members, the client, the metric, two promises."""
    scenario = Scenario(at="2026-01-01T00:00:00Z")
    for person, name in PEOPLE.items():
        scenario.person(person, name)
    (scenario.council("cora").at("2026-01-01T01:00:00Z").team("delivery").team("kitchen").team("bakery")
     .at("2026-01-02T00:00:00Z").member("lena", "team-lead", lead=True, team="delivery")
     .member("max", "courier", team="delivery").member("kim", "cook", lead=True, team="kitchen")
     .member("olga", "baker", lead=True, team="bakery").client("households")
     .metric("ready-pct", name="Orders ready on time", unit="%", direction="higher_is_better")
     .promise("p-kitchen-ready", "Pick-ups leave the kitchen door on time", 90, promisor="delivery",
              promisee="kitchen", actor="max", at="2026-01-10T09:00:00Z")
     .promise("p-night-runs", "Night runs for the early shift", 80, promisor="delivery", promisee="kitchen",
              requires=["night-driving"], actor="max", at="2026-01-12T09:00:00Z")
     .member("ivan", "dispatcher", team="delivery", at="2026-02-01T00:00:00Z")
     .agreed("p-kitchen-ready", actor="kim", at="2026-02-05T09:00:00Z"))
    for day, value in ((10, 88.0), (17, 91.5), (24, 93.0)):
        scenario.reading(value, at=f"2026-02-{day:02d}T12:00:00Z")
    # the client's side: rosa, in no team, speaks for the corner cafe; one promise to it agreed, one awaiting her
    (scenario.client("corner-cafe", "Corner Cafe").represent("rosa")
     .promise("p-cafe-lunch", "Lunch boxes reach the cafe by noon", 90, promisor="delivery", metric="ready-pct",
              actor="lena", at="2026-01-20T09:00:00Z").agreed(actor="rosa", at="2026-02-06T09:00:00Z")
     .promise("p-cafe-dinner", "Dinner trays by six", 85, promisor="delivery", metric="ready-pct", actor="lena",
              at="2026-03-01T09:00:00Z"))
    return scenario


# The rest of the history: (type, business time, fields).
_rows: list[tuple[str, str, dict[str, Any]]] = [
    ("RecordReading", "2026-03-03T12:00:00Z", {"metric": "ready-pct", "value": 95.0}),
    ("PostLedgerEntry", "2026-01-31T00:00:00Z", {"team": "delivery", "period": "2026-01", "kind": "revenue",
                                                 "amount": 12000}),
    ("PostLedgerEntry", "2026-01-31T00:00:00Z", {"team": "delivery", "period": "2026-01", "kind": "cost",
                                                 "amount": 9000}),
    ("PostLedgerEntry", "2026-02-28T00:00:00Z", {"team": "delivery", "period": "2026-02", "kind": "revenue",
                                                 "amount": 14000}),
    ("PostLedgerEntry", "2026-02-28T00:00:00Z", {"team": "delivery", "period": "2026-02", "kind": "cost",
                                                 "amount": 9500}),
    ("ProposeExperiment", "2026-02-02T09:00:00Z", {
        "experiment": "exp-hot-boxes", "team": "delivery", "hypothesis": "Insulated boxes keep pick-ups on time",
        "metric": "ready-pct", "design": "ab", "promise": "p-kitchen-ready"}),
    ("StartExperiment", "2026-02-03T09:00:00Z", {"experiment": "exp-hot-boxes"}),
    *[("RecordObservation", f"2026-02-{4 + n // 4:02d}T{10 + n % 4}:00:00Z",
       {"experiment": "exp-hot-boxes", "arm": arm, "value": value})
      for n, (arm, value) in enumerate([("control", v) for v in (88.0, 90.0, 86.0, 89.0)]
                                       + [("treatment", v) for v in (93.0, 95.0, 92.0, 96.0)])],
    ("ConcludeExperiment", "2026-02-09T09:00:00Z", {"experiment": "exp-hot-boxes", "decision": "adopt",
                                                     "learning": "Boxes win about six points"}),
    ("RecordFeedback", "2026-02-11T10:00:00Z", {
        "feedback_id": "fb-old", "client": "households", "kind": "complaint", "channel": "phone",
        "text": "The courier was late", "team": "delivery", "occurred_at": "2026-02-11T10:00:00Z"}),
    ("RecordFeedback", "2026-02-20T10:00:00Z", {
        "feedback_id": "fb-cafe-old", "client": "corner-cafe", "kind": "complaint", "channel": "phone",
        "text": "Lunch boxes came at half past twelve", "team": "delivery", "occurred_at": "2026-02-20T10:00:00Z"}),
]
LINES = [{"type": line["type"], "id": f"w{n}", **line} for n, line in enumerate(
    [*_preamble(), *({"type": type_, "at": at, **fields} for type_, at, fields in _rows)])]


def complaint(feedback_id: str, text: str, team: str = "delivery") -> dict[str, Any]:
    """A Kafka-shaped complaint about ``team`` (occurred now-ish, so it is open on the live page)."""
    return {"feedback_id": feedback_id, "client": "households", "kind": "complaint", "channel": "app",
            "text": text, "team": team, "occurred_at": ago(hours=1)}
