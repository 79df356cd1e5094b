"""Handlers of ``domain.handlers.money_and_feedback`` through the ledger on the in-memory store: ledger
entries, client feedback (recorded once per ``feedback_id``, its text sealed) and its resolution."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.economics import LedgerEntry
from domain.feedback import Feedback
from domain.service.ledger import Ledger
from tests.support.ledger import AT, LATER, accept, execute, reject
from tests.support.scenario import Scenario


def feedback(feedback_id: str = "f1", **fields: Any) -> dict[str, Any]:
    return {"type": "RecordFeedback", "feedback_id": feedback_id, "client": "diner", "kind": "complaint",
            "channel": "app", "text": "Cold soup", "occurred_at": "2026-01-05T20:00:00+01:00", **fields}


class TestPostLedgerEntry:
    def test_posts_an_entry_for_a_team(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).team("kitchen"),
               {"type": "PostLedgerEntry", "id": "e1", "team": "kitchen", "period": "2026-01", "kind": "cost",
                "amount": 250, "description": "flour", "at": LATER})
        entry = ledger.state(LedgerEntry, "e1")
        assert entry is not None and (entry.team, entry.kind, entry.amount, entry.description) == (
            "kitchen", "cost", 250.0, "flour")

    def test_the_team_must_exist(self, ledger: Ledger) -> None:
        reject(ledger, {"type": "PostLedgerEntry", "team": "ghost", "period": "2026-01", "kind": "revenue",
                        "amount": 1, "at": AT}, "unknown team 'ghost'")


class TestFeedback:
    def test_recorded_when_it_occurred_with_its_text_sealed(self, ledger: Ledger) -> None:
        accept(ledger, feedback(rating=2, team="kitchen"))
        found = ledger.state(Feedback, "f1")
        assert found is not None and (found.text, found.rating, found.team) == ("Cold soup", 2.0, "kitchen")
        (event,) = ledger.history(Feedback, "f1")
        assert event.audit.at == datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
        assert event.text.startswith("enc:v1:client:diner:")  # stored sealed under the client's key

    def test_the_same_feedback_id_is_recorded_once(self, ledger: Ledger) -> None:
        first = execute(ledger, [feedback(), feedback(rating=None, occurred_at="2026-01-05T19:00:00Z")])
        assert (first.accepted, first.skipped, first.events) == ([0], [1], 1)  # the same content, spelt otherwise
        again = execute(ledger, [feedback(id="line-9")])
        assert (again.accepted, again.skipped, again.events) == ([], [0], 0)

    def test_a_feedback_id_with_other_content_is_refused_naming_it(self, ledger: Ledger) -> None:
        first = execute(ledger, [feedback(), feedback(text="Again")])
        assert (first.accepted, first.skipped, first.conflicts) == (
            [0], [], [(1, "id_conflict: feedback_id 'f1' was already used for different content; "
                          "send it under a new key")])
        later = execute(ledger, [feedback(id="line-9", rating=3)])
        assert (later.accepted, later.skipped, [i for i, _ in later.conflicts]) == ([], [], [0])
        found = ledger.state(Feedback, "f1")
        assert found is not None and (found.text, found.rating) == ("Cold soup", None)

    def test_resolved_once(self, ledger: Ledger) -> None:
        accept(ledger, feedback(),
               {"type": "ResolveFeedback", "feedback_id": "f1", "resolution": "refunded", "at": LATER})
        found = ledger.state(Feedback, "f1")
        assert found is not None and found.resolution == "refunded"
        reject(ledger, {"type": "ResolveFeedback", "feedback_id": "f1", "resolution": "again", "at": LATER},
               "feedback f1 is already resolved")
        reject(ledger, {"type": "ResolveFeedback", "feedback_id": "ghost", "resolution": "r", "at": LATER},
               "unknown feedback 'ghost'")


class TestRespondAndAssign:
    """docs/brief.md §9: the first answer to the client stops the response clock; a complaint naming no team
    is given one."""

    def test_responded_once_and_not_after_its_resolution(self, ledger: Ledger) -> None:
        accept(ledger, feedback(), {"type": "RespondToFeedback", "feedback_id": "f1", "response": "On our way",
                                    "at": LATER})
        found = ledger.state(Feedback, "f1")
        assert found is not None and found.response == "On our way"
        reject(ledger, {"type": "RespondToFeedback", "feedback_id": "f1", "response": "again", "at": LATER},
               "feedback f1 was already responded to")
        accept(ledger, feedback("f2"), {"type": "ResolveFeedback", "feedback_id": "f2", "resolution": "r",
                                        "at": LATER})
        reject(ledger, {"type": "RespondToFeedback", "feedback_id": "f2", "response": "late", "at": LATER},
               "feedback f2 is already resolved")

    def test_only_a_complaint_without_a_team_is_assigned_one(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).team("kitchen").team("hall"), feedback(),
               {"type": "AssignFeedback", "feedback_id": "f1", "team": "kitchen", "at": LATER})
        found = ledger.state(Feedback, "f1")
        assert found is not None and found.team == "kitchen"
        reject(ledger, {"type": "AssignFeedback", "feedback_id": "f1", "team": "hall", "at": LATER},
               "complaint f1 already has a team")
        accept(ledger, feedback("f3", kind="praise"))
        reject(ledger, {"type": "AssignFeedback", "feedback_id": "f3", "team": "hall", "at": LATER},
               "only a complaint is assigned a team")
        reject(ledger, {"type": "AssignFeedback", "feedback_id": "f1", "team": "ghost", "at": LATER},
               "unknown team 'ghost'")
