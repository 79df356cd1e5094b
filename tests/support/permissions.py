"""docs/brief.md §5's permission table as cases: a small restaurant company (``SETUP``), and for each row of the
table a command some people may give (``allowed``) and others may not (``refused``).

The API tests send them through a real server; the unit tests ask the table itself (``domain.policy``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.clock import ago
from tests.support.scenario import Scenario

PAST = "2026-01-05T09:00:00Z"
PEOPLE = ("carol", "lead", "cook", "front", "rep", "outsider", "spare", "spare2", "leaver", "maitre", "deputy",
          "host")


def _promise(key: str, promisee: str) -> dict[str, Any]:
    return Scenario().promise(key, "Hot food", 10, promisor="kitchen", promisee=promisee, metric="wait",
                              actor="cook").lines()[0]


def _company() -> Scenario:
    """People, the council, two teams and their members, three clients (one represented), a metric.

    docs/brief.md §10: a side consents through its lead (``lead`` for kitchen, ``maitre`` for hall) or a consent
    holder the lead named (``deputy`` for kitchen, ``host`` for hall); ``cook`` and ``front`` are plain members."""
    scenario = Scenario()
    for person in PEOPLE:
        scenario.person(person, person.title())
    return (scenario.council("carol").council("spare2").team("kitchen").team("hall")
            .member("lead", "chef", lead=True, team="kitchen").member("cook", "cook", team="kitchen")
            .member("leaver", "cook", team="kitchen").member("front", "waiter", team="hall")
            .member("maitre", "maitre d'", lead=True, team="hall").member("deputy", "sous-chef", team="kitchen")
            .add("DelegateConsent", team="kitchen", person="deputy")
            .member("host", "host", team="hall").add("DelegateConsent", team="hall", person="host")
            .add("GrantAuthority", team="kitchen", authority="pre-revoke", description="to revoke")
            .client("diner").client("walkin", "Walk-in").client("other").represent("rep", "diner").metric("wait"))


SETUP: list[dict[str, Any]] = [
    *_company(),
    _promise("p-client", "diner"), _promise("p-team", "hall"), _promise("p-norep", "walkin"),
    _promise("p-counter", "diner"), _promise("p-agreed", "diner"), _promise("p-retire1", "diner"),
    _promise("p-retire2", "diner"),
    *({"type": "AgreePromise", "promise": p, "actor": "rep"} for p in ("p-agreed", "p-retire1", "p-retire2")),
    {"type": "RecordFeedback", "feedback_id": "f-cook", "client": "diner", "kind": "complaint", "channel": "app",
     "text": "Cold", "team": "kitchen", "occurred_at": PAST},
    {"type": "ProposeExperiment", "experiment": "e1", "team": "kitchen", "hypothesis": "Faster", "metric": "wait",
     "design": "ab"},
    # docs/brief.md §11: kitchen's proven change, for hall to take up and measure on a metric hall owns
    {"type": "ProposeExperiment", "experiment": "e-proven", "team": "kitchen", "hypothesis": "Hot plates",
     "metric": "wait", "design": "ab"},
    {"type": "StartExperiment", "experiment": "e-proven"},
    {"type": "ConcludeExperiment", "experiment": "e-proven", "decision": "adopt", "learning": "Plates stay hot"},
    {"type": "ProposeExperiment", "experiment": "e-proven2", "team": "kitchen", "hypothesis": "Warm bowls",
     "metric": "wait", "design": "ab"},
    {"type": "StartExperiment", "experiment": "e-proven2"},
    {"type": "ConcludeExperiment", "experiment": "e-proven2", "decision": "adopt", "learning": "Bowls stay warm"},
    {"type": "DefineMetric", "metric": "hall-wait", "name": "Hall wait", "unit": "min",
     "direction": "lower_is_better", "owner": "hall"},
]

Make = Callable[[str], dict[str, Any]]
NOW_READING = {"type": "RecordReading", "metric": "wait", "value": 7}  # at: the server's now
ROWS: list[tuple[str, Make, list[str], list[str]]] = [
    # (row, command for a person, allowed, refused)
    ("FormTeam", lambda p: {"type": "FormTeam", "team": f"t-{p}", "name": "T"},
     ["carol"], ["lead", "cook", "rep", "outsider"]),
    ("GrantAuthority", lambda p: {"type": "GrantAuthority", "team": "kitchen", "authority": f"a-{p}",
                                  "description": "D"}, ["carol"], ["lead", "cook"]),
    ("RevokeAuthority", lambda p: {"type": "RevokeAuthority", "team": "kitchen", "authority": "pre-revoke",
                                   "reason": "R"}, ["carol"], ["lead", "outsider"]),
    ("AppointCouncil", lambda p: {"type": "AppointCouncil", "person": "spare"}, ["carol"], ["lead", "outsider"]),
    ("DismissCouncil", lambda p: {"type": "DismissCouncil", "person": "spare2"}, ["carol"], ["lead"]),
    ("PostLedgerEntry", lambda p: {"type": "PostLedgerEntry", "team": "kitchen", "period": "2026-01",
                                   "kind": "revenue", "amount": 1}, ["carol"], ["lead", "cook"]),
    ("ChooseRewardScheme", lambda p: {"type": "ChooseRewardScheme", "team": "kitchen"}, ["carol"], ["lead"]),
    # docs/brief.md §11: the team's lead or the council chooses what counts as the team's success
    ("SetSuccessMetric", lambda p: {"type": "SetSuccessMetric", "team": "kitchen", "metric": "wait", "target": 9,
                                    "reason": f"chosen by {p}"}, ["lead", "carol"],
     ["cook", "deputy", "maitre", "front", "outsider", "rep"]),
    ("RegisterPerson", lambda p: {"type": "RegisterPerson", "person": f"new-{p}", "name": "N"}, ["carol"],
     ["lead", "outsider"]),
    ("RepresentClient", lambda p: {"type": "RepresentClient", "client": "other", "person": "outsider"}, ["carol"],
     ["lead", "rep"]),
    ("AddMember", lambda p: {"type": "AddMember", "team": "kitchen", "person": f"m-{p}", "role": "x"},
     ["lead", "carol"], ["cook", "outsider", "front"]),
    ("RemoveMember", lambda p: {"type": "RemoveMember", "team": "kitchen", "person": "leaver"}, ["lead"],
     ["cook", "front"]),
    ("SetCommunicationRules", lambda p: {"type": "SetCommunicationRules", "team": "kitchen", "rules": [p]},
     ["lead", "carol"], ["cook", "front"]),
    ("IdentifyClient", lambda p: {"type": "IdentifyClient", "client": f"c-{p}", "name": "C", "kind": "external"},
     ["cook", "front", "carol"], ["rep", "outsider"]),
    ("RecordPain", lambda p: {"type": "RecordPain", "client": "diner", "pain": f"pain-{p}", "description": "D"},
     ["cook", "carol"], ["outsider"]),
    ("DefineMetric", lambda p: {"type": "DefineMetric", "metric": f"m-{p}", "name": "M", "unit": "u",
                                "direction": "higher_is_better"}, ["cook", "carol"], ["outsider", "rep"]),
    ("DrawStrategyCanvas", lambda p: {"type": "DrawStrategyCanvas", "canvas": f"cv-{p}", "client": "diner",
                                      "factors": ["speed"]}, ["front"], ["outsider"]),
    # naming a team makes it concerned with the client (docs/brief.md §10): only its members (or the council) may
    ("DrawStrategyCanvas", lambda p: {"type": "DrawStrategyCanvas", "canvas": f"cvk-{p}", "client": "diner",
                                      "team": "kitchen", "factors": ["speed"]}, ["cook", "carol"],
     ["front", "maitre", "outsider", "rep"]),
    ("DefineValueProposition", lambda p: {"type": "DefineValueProposition", "proposition": f"vpk-{p}",
                                          "client": "diner", "team": "kitchen", "statement": "S",
                                          "characteristics": ["hot"]}, ["cook", "carol"], ["front", "rep"]),
    ("DefineValueProposition", lambda p: {"type": "DefineValueProposition", "proposition": f"vp-{p}",
                                          "client": "diner", "statement": "S", "characteristics": ["hot"]},
     ["front", "carol"], ["outsider"]),
    ("ProposePromise", lambda p: {**_promise(f"pp-{p}", "diner"), "actor": None},
     ["cook", "lead"], ["front", "rep", "carol", "outsider"]),
    # cook's proposal is not kitchen's consent (cook may not give it): it waits for both sides, in either order
    ("AgreePromise", lambda p: {"type": "AgreePromise", "promise": "pp-cook"}, ["deputy"],
     ["cook", "front", "carol", "outsider"]),
    ("AgreePromise", lambda p: {"type": "AgreePromise", "promise": "pp-cook"}, ["rep"], ["lead", "deputy", "cook"]),
    ("AgreePromise", lambda p: {"type": "AgreePromise", "promise": "pp-lead"}, ["rep"], ["lead", "deputy", "cook"]),
    ("CounterPropose", lambda p: {"type": "CounterPropose", "promise": "p-counter", "changes": {"target": 9}},
     ["cook", "rep"], ["front", "carol", "outsider"]),
    ("AgreePromise", lambda p: {"type": "AgreePromise", "promise": "p-client"}, ["rep"],
     ["cook", "lead", "carol", "outsider", "front"]),
    # docs/brief.md §10: a plain member of the promisee team (a courier) does not consent for it; its lead does
    ("AgreePromise", lambda p: {"type": "AgreePromise", "promise": "p-team"}, ["maitre"], ["front", "cook", "carol"]),
    ("AgreePromise", lambda p: {"type": "AgreePromise", "promise": "p-norep"}, ["lead"],
     ["cook", "carol", "outsider"]),
    ("ProposeAmendment", lambda p: {"type": "ProposeAmendment", "promise": "p-agreed", "changes": {"target": 8},
                                    "reason": "R"}, ["cook"], ["carol", "outsider", "front"]),
    # cook's amendment waits for kitchen's consent (its lead) and the client's (its representative)
    ("AcceptAmendment", lambda p: {"type": "AcceptAmendment", "promise": "p-agreed"}, ["lead", "rep"],
     ["cook", "carol", "outsider", "front"]),
    ("ProposeAmendment", lambda p: {"type": "ProposeAmendment", "promise": "p-agreed", "changes": {"target": 9},
                                    "reason": "R"}, ["rep"], ["carol"]),
    ("AcceptAmendment", lambda p: {"type": "AcceptAmendment", "promise": "p-agreed"}, ["deputy"],
     ["rep", "cook", "front"]),
    ("AmendPromise", lambda p: {"type": "AmendPromise", "promise": "p-agreed", "changes": {"target": 6},
                                "reason": "R"}, [], ["carol", "lead", "rep"]),
    ("RetirePromise", lambda p: {"type": "RetirePromise", "promise": "p-retire1", "reason": "R"}, ["lead"],
     ["cook", "carol", "outsider"]),
    ("RetirePromise", lambda p: {"type": "RetirePromise", "promise": "p-retire2", "reason": "R"}, ["rep"], []),
    # an inter-team promise: a plain member of the promisee team may not retire it, its lead may
    ("RetirePromise", lambda p: {"type": "RetirePromise", "promise": "p-team", "reason": "R"}, ["maitre"],
     ["front", "cook"]),
    ("RecordReading", lambda p: NOW_READING, ["cook", "carol"], ["front", "outsider"]),
    ("RecordFeedback", lambda p: {"type": "RecordFeedback", "feedback_id": f"fb-{p}", "client": "diner",
                                  "kind": "praise", "channel": "web", "text": "Nice", "occurred_at": ago(days=1)},
     ["carol", "rep"], ["outsider"]),  # outsider speaks for `other` since the RepresentClient row
    # docs/brief.md §10: an external client (in no team, speaking for clients) speaks for its own clients only
    ("RecordFeedback", lambda p: {"type": "RecordFeedback", "feedback_id": f"fbo-{p}", "client": "other",
                                  "kind": "complaint", "channel": "web", "text": "Cold", "occurred_at": ago(days=1)},
     ["outsider", "cook", "carol"], ["rep"]),
    ("ResolveFeedback", lambda p: {"type": "ResolveFeedback", "feedback_id": "f-cook", "resolution": "Sorry"},
     ["cook"], ["front", "carol"]),
    ("ProposeExperiment", lambda p: {"type": "ProposeExperiment", "experiment": f"e-{p}", "team": "kitchen",
                                     "hypothesis": "H", "metric": "wait", "design": "ab"}, ["cook"],
     ["front", "carol"]),
    ("StartExperiment", lambda p: {"type": "StartExperiment", "experiment": "e1"}, ["cook"], ["front", "carol"]),
    # the adopting team's lead (or a consent holder): not its plain members, nor another team's consent holder
    ("AdoptSolution", lambda p: {"type": "AdoptSolution", "experiment": "e-proven", "team": "hall",
                                 "metric": "hall-wait", "reason": "R"}, ["maitre"],
     ["front", "cook", "lead", "deputy", "carol", "rep", "outsider"]),
    # docs/brief.md §10: the consent holder hall's lead named adopts too (a team adopts a solution once: another)
    ("AdoptSolution", lambda p: {"type": "AdoptSolution", "experiment": "e-proven2", "team": "hall",
                                 "metric": "hall-wait", "reason": "R"}, ["host"], ["front", "deputy"]),
    ("RecordErrorReview", lambda p: {"type": "RecordErrorReview", "review": f"r-{p}", "team": "kitchen",
                                     "what_happened": "W", "cause": "C", "lesson": "L"}, ["cook"],
     ["front", "carol"]),
    ("RecordProcessChange", lambda p: {"type": "RecordProcessChange", "change": f"pc-{p}", "team": "kitchen",
                                       "description": "D"}, ["lead"], ["outsider"]),
]
