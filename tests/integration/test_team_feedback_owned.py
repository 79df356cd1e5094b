"""A team's feedback (its complaints and its monthly counts) is what names the team, what names no team but a
promise the team made, and what was assigned to it: not what names another team's promise, nor what names
neither. Each says whether its client was identified.
"""

from __future__ import annotations

from typing import Any

from tests.support.scenario import Scenario
from tests.support.views import answered_in_memory

LINES: list[dict[str, Any]] = [
    *Scenario(at="2026-01-01T00:00:00Z").person("ann").team("kitchen").member("ann", lead=True).team("bar")
    .client("diner").metric("ontime").promise("hot-food", "Hot food", 90, promisor="kitchen")
    .promise("cold-drinks", "Cold drinks", 90, promisor="bar").lines(),
    *[{"type": "RecordFeedback", "feedback_id": key, "client": "diner", "kind": "complaint", "channel": "app",
       "text": key, "occurred_at": "2026-01-05T00:00:00Z", "at": "2026-01-05T00:00:00Z", **names}
      for key, names in (("names-kitchen", {"team": "kitchen"}), ("names-its-promise", {"promise": "hot-food"}),
                         ("names-bar-promise", {"promise": "cold-drinks"}), ("names-neither", {}),
                         ("assigned", {}), ("kitchen-and-bar-promise",
                                                                     {"team": "kitchen", "promise": "cold-drinks"}))],
    {"type": "AssignFeedback", "feedback_id": "assigned", "team": "kitchen", "at": "2026-01-06T00:00:00Z"},
    {"type": "RecordFeedback", "feedback_id": "stranger", "client": "walk-in", "kind": "complaint", "channel": "app",
     "text": "Cold soup", "team": "kitchen", "occurred_at": "2026-01-06T00:00:00Z", "at": "2026-01-06T00:00:00Z"},
]


def test_a_teams_feedback_is_what_names_it_its_promises_or_was_assigned_to_it() -> None:
    shown = answered_in_memory(LINES, "team", [], [("kitchen", "2026-01-05T12:00:00Z"),
                                                  ("kitchen", "2026-01-07T00:00:00Z")])
    before = shown("kitchen", "2026-01-05T12:00:00Z")
    assert sorted(c["feedback_id"] for c in before["open_complaints"]) == [
        "kitchen-and-bar-promise", "names-its-promise", "names-kitchen"]
    assert [(m["period"], m["complaint"]) for m in before["feedback_by_period"]] == [("2026-01", 3)]
    after = shown("kitchen", "2026-01-07T00:00:00Z")
    assert sorted(c["feedback_id"] for c in after["open_complaints"]) == [
        "assigned", "kitchen-and-bar-promise", "names-its-promise", "names-kitchen", "stranger"]
    assert [(m["period"], m["complaint"]) for m in after["feedback_by_period"]] == [("2026-01", 5)]
    # a complaint from a client never identified says so; the others' client was
    assert {c["feedback_id"]: c["client_identified"] for c in after["open_complaints"]} == {
        "assigned": True, "kitchen-and-bar-promise": True, "names-its-promise": True, "names-kitchen": True,
        "stranger": False}
