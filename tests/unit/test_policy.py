"""The permission table (``domain.policy``), row by row, asked directly: ``may(facts, person, command)``.

The facts are those of a small restaurant company (``tests.support.permissions.SETUP``, the same
company the API's permission tests serve) built in memory: its commands go through their handlers
into one unit of work with nothing stored behind it, and the facts read the aggregates it holds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from eventsourcing.application import AggregateNotFoundError

from domain import commands as c
from domain.audit import Audit
from domain.facts import UnitOfWorkFacts
from domain.handlers import HANDLERS
from domain.policy import RULES, Allowed, Refused, may, rule_name
from domain.service.unit_of_work import UnitOfWork
from tests.support.permissions import PAST, ROWS, SETUP, Make


class NothingStored:
    """A repository that holds nothing: every aggregate the facts see was made in the unit of work."""

    def get(self, aggregate_id: Any) -> Any:
        raise AggregateNotFoundError(aggregate_id)


def parsed(line: dict[str, Any]) -> c.Command:
    return c.parse_command(json.dumps({k: v for k, v in line.items() if v is not None}))


def handle(uow: UnitOfWork, line: dict[str, Any], person: str | None = None) -> None:
    """One command handled as the import does (``person``: as the API does for that person);
    dated ``PAST`` unless it says when."""
    command = parsed({"at": PAST, **line})
    assert command.at is not None
    uow.at = command.at
    audit = Audit(at=command.at, actor=person or command.actor, channel="api" if person else None)
    HANDLERS[type(command)](uow, command, audit)


def company() -> UnitOfWork:
    """The company after SETUP."""
    uow = UnitOfWork(NothingStored())
    for line in SETUP:
        handle(uow, line)
    return uow


# Rows the API tests leave out (the team concerned's experiment steps, the rest of the strategy steps).
MORE_ROWS: list[tuple[str, Make, list[str], list[str]]] = [
    ("RecordObservation", lambda p: {"type": "RecordObservation", "experiment": "e1", "arm": "control",
                                     "value": 1}, ["cook", "lead"], ["front", "carol", "outsider"]),
    ("RecordArmSummary", lambda p: {"type": "RecordArmSummary", "experiment": "e1", "arm": "control", "n": 2,
                                    "sum": 3, "sum_squares": 5}, ["cook"], ["front", "carol"]),
    ("ConcludeExperiment", lambda p: {"type": "ConcludeExperiment", "experiment": "e1", "decision": "adopt",
                                      "learning": "L"}, ["lead"], ["front", "carol", "rep"]),
    # docs/brief.md §11: hall takes up kitchen's proven change, measured on a metric hall owns
    ("DefineMetric", lambda p: {"type": "DefineMetric", "metric": f"hall-{p}", "name": "M", "unit": "u",
                                "direction": "higher_is_better", "owner": "hall"}, ["front"], ["cook", "rep"]),
    ("AdoptSolution", lambda p: {"type": "AdoptSolution", "experiment": "e1", "team": "hall", "metric": "hall-front",
                                 "reason": "R"}, ["maitre"], ["front", "cook", "lead", "carol", "rep", "outsider"]),
    ("DefineValueProposition", lambda p: {"type": "DefineValueProposition", "proposition": f"vp-{p}",
                                          "client": "diner", "statement": "S", "characteristics": ["fast"],
                                          "pains": []}, ["front", "carol"], ["rep", "outsider"]),
    ("ScoreOffering", lambda p: {"type": "ScoreOffering", "canvas": "cv-front", "offering": f"o-{p}",
                                 "scores": {"speed": 1}},
     ["cook", "carol"], ["rep", "outsider"]),
    ("ChooseUniqueFactor", lambda p: {"type": "ChooseUniqueFactor", "canvas": "cv-front", "factor": "speed"},
     ["front"], ["outsider"]),
    ("ResolveFeedback", lambda p: {"type": "ResolveFeedback", "feedback_id": "nobody-knows", "resolution": "R"},
     [], ["cook", "carol"]),  # unknown feedback has no team concerned: nobody may resolve it
    # docs/brief.md §8, §10: an amendment declined by the other side, or withdrawn by its proposer; consent holders
    ("ProposeAmendment", lambda p: {"type": "ProposeAmendment", "promise": "p-agreed", "changes": {"target": 7},
                                    "reason": "R"}, ["cook"], []),
    # docs/brief.md §10: declining takes a side's consent (its lead or consent holder, a client's representative)
    ("DeclineAmendment", lambda p: {"type": "DeclineAmendment", "promise": "p-agreed", "reason": "R"}, ["rep"],
     ["carol", "front", "outsider"]),
    ("ProposeAmendment", lambda p: {"type": "ProposeAmendment", "promise": "p-agreed", "changes": {"target": 7},
                                    "reason": "R"}, ["cook"], []),
    ("DeclineAmendment", lambda p: {"type": "DeclineAmendment", "promise": "p-agreed", "reason": "R"}, ["cook"],
     ["carol", "front"]),
    ("ProposeAmendment", lambda p: {"type": "ProposeAmendment", "promise": "p-agreed", "changes": {"target": 7},
                                    "reason": "R"}, ["rep"], []),
    ("DeclineAmendment", lambda p: {"type": "DeclineAmendment", "promise": "p-agreed", "reason": "R"}, ["deputy"],
     ["cook", "front"]),
    ("DelegateConsent", lambda p: {"type": "DelegateConsent", "team": "kitchen", "person": f"d-{p}"},
     ["lead", "carol"], ["cook", "front", "rep", "outsider"]),
    ("WithdrawConsent", lambda p: {"type": "WithdrawConsent", "team": "kitchen", "person": "d-lead"}, ["lead"],
     ["cook", "front", "rep"]),
    ("WithdrawConsent", lambda p: {"type": "WithdrawConsent", "team": "kitchen", "person": "d-carol"}, ["carol"],
     []),
    # docs/brief.md §9: a complaint naming no team (fbo-*, the external client's rows) is given one by the
    # council or by a member taking it for their own team; then that team's members give the first answer
    ("AssignFeedback", lambda p: {"type": "AssignFeedback", "feedback_id": f"fbo-{p}", "team": "kitchen"},
     ["cook", "carol"], ["front", "rep", "outsider"]),
    ("RespondToFeedback", lambda p: {"type": "RespondToFeedback", "feedback_id": "fbo-cook", "response": "R"},
     ["cook"], ["front", "carol", "rep"]),
]
ALL_ROWS = ROWS + MORE_ROWS


def world(upto: int) -> UnitOfWorkFacts:
    """The company as the API test leaves it before row ``upto``: SETUP, then every earlier row's
    command handled for each person it allows (a later row may answer an earlier one's proposal)."""
    uow = company()
    for _, make, allowed, _ in ALL_ROWS[:upto]:
        for person in allowed:
            handle(uow, make(person), person)
    return UnitOfWorkFacts(uow)


@pytest.mark.parametrize("index", range(len(ALL_ROWS)), ids=[f"{i:02d}-{r[0]}" for i, r in enumerate(ALL_ROWS)])
def test_permission_row(index: int) -> None:
    """Everyone the row does not allow is refused by that row; those it allows may, and their command is
    handled (in the API test's order: the refusals first)."""
    row, make, allowed, refused = ALL_ROWS[index]
    facts = world(index)
    for person in refused:
        command = parsed(make(person))
        decision = may(facts, person, command)
        assert isinstance(decision, Refused), person
        assert decision.rule == rule_name(row, RULES[type(command)]) and decision.rule.startswith(f"{row}: ")
        assert decision.reason.startswith(f"{person} may not {row}: allowed to ")
    for person in allowed:
        assert may(facts, person, parsed(make(person))) == Allowed(), person
        handle(facts.uow, make(person), person)  # accepted: it raises nothing


def test_every_rule_is_checked_by_a_row() -> None:
    """A new command gets its row here (and the API's when people may give it)."""
    checked = {row for row, *_ in ALL_ROWS}
    assert {t.__name__ for t in RULES} - checked == set()


def test_a_person_nobody_registered_may_only_give_feedback() -> None:
    facts = UnitOfWorkFacts(company())
    allowed = [row for row, make, _, _ in ALL_ROWS if may(facts, "stranger", parsed(make("stranger")))]
    assert set(allowed) == {"RecordFeedback"}  # for any client: a stranger speaks for none in particular


def test_the_facts_follow_the_batch() -> None:
    """A change of membership in the same unit of work changes the answer (nothing is remembered stale)."""
    uow = company()
    facts = UnitOfWorkFacts(uow)
    reading = parsed({"type": "RecordReading", "metric": "wait", "value": 7, "at": PAST})
    assert may(facts, "cook", reading)
    handle(uow, {"type": "RemoveMember", "team": "kitchen", "person": "cook"})
    assert not may(facts, "cook", reading)
    assert not facts.in_any_team("cook") and facts.in_any_team("lead")
