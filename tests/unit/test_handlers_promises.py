"""Handlers of ``domain.handlers.promises`` through the ledger on the in-memory store: proposed,
negotiated, agreed, amended (directly, or proposed and accepted or declined) and retired, and what each refuses."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from domain.commands import parse_command
from domain.promise import Promise
from domain.service.ledger import Acting, Ledger
from tests.support.ledger import AT, LATER, accept, execute, reject
from tests.support.scenario import Scenario


def preamble() -> Scenario:
    """Kitchen promises the diner on the wait metric (not yet proposed); the hall is another team."""
    return Scenario(at=AT).team("hall").team("kitchen").member("lea", "chef", lead=True).client("diner").metric("wait")


def proposed() -> Scenario:
    return preamble().promise("p", "Hot food", 10)


def line(type_: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "promise": "p", "at": LATER, **fields}


def promise(ledger: Ledger) -> Promise:
    found = ledger.state(Promise, "p")
    assert found is not None
    return found


class TestProposePromise:
    def test_proposes_with_the_terms(self, ledger: Ledger) -> None:
        accept(ledger, *preamble(), {"type": "ProposePromise", "promise": "p", "promisor": "kitchen",
                                     "promisee": "diner", "statement": "Hot food", "metric": "wait", "target": 10,
                                     "period": "week", "requires": ["refunds", "refunds"], "at": LATER})
        assert (promise(ledger).status, promise(ledger).target, promise(ledger).promisee) == ("proposed", 10.0,
                                                                                              "diner")
        assert promise(ledger).requires == ["refunds"]  # each authority once

    def test_a_team_may_be_the_promisee_and_a_parent_must_exist(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().promise("child", "Fast tables", 5, promisee="hall", parent="p"))
        child = ledger.state(Promise, "child")
        assert child is not None and (child.promisee, child.parent) == ("hall", "p")

    @pytest.mark.parametrize(("override", "reason"), [
        ({"promise": "p"}, "promise 'p' already exists"),
        ({"promisor": "ghost"}, "unknown team 'ghost'"),
        ({"promisor": "diner"}, "unknown team 'diner'"),  # a client cannot promise
        ({"promisee": "nobody"}, "unknown promisee 'nobody'"),
        ({"promisee": "kitchen"}, "cannot promise to itself"),
        ({"metric": "ghost"}, "unknown metric 'ghost'"),
        ({"parent": "ghost"}, "unknown promise 'ghost'"),
    ])
    def test_references_must_exist(self, ledger: Ledger, override: dict[str, Any], reason: str) -> None:
        accept(ledger, *proposed())
        (propose,) = Scenario(at=LATER).promise("q", "S", 1, promisor="kitchen", promisee="diner", metric="wait")
        reject(ledger, {**propose, **override}, reason)


class TestNegotiation:
    def test_counter_proposals_change_the_terms_until_agreement(self, ledger: Ledger) -> None:
        accept(ledger, *proposed(), line("CounterPropose", changes={"target": 8}),
               line("CounterPropose", changes={"period": "day"}), line("AgreePromise"))
        assert (promise(ledger).status, promise(ledger).target, promise(ledger).period) == ("agreed", 8.0, "day")
        as_proposed = ledger.state(Promise, "p", datetime.fromisoformat(AT))
        assert as_proposed is not None and as_proposed.target == 10.0

    def test_an_agreed_promise_is_not_countered_nor_agreed_again(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed())
        reject(ledger, line("CounterPropose", changes={"target": 9}), "promise p is agreed",
               "only a proposed promise can be countered")
        reject(ledger, line("AgreePromise"), "only a proposed promise can be agreed")

    def test_agreement_needs_the_authority_the_promise_requires(self, ledger: Ledger) -> None:
        accept(ledger, *preamble().promise("p", "Refunds on the spot", 1, requires=["refunds"]))
        result = execute(ledger, [line("AgreePromise")])
        assert (result.accepted, [rule for _, rule, _ in result.forbidden]) == ([], [
            "authority: the promisor team must hold every authority the promise requires"])
        accept(ledger, {"type": "GrantAuthority", "team": "kitchen", "authority": "refunds", "description": "d",
                        "at": LATER}, line("AgreePromise"))


class TestAmendments:
    def test_an_accepted_amendment_is_the_new_version(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed(), line("ProposeAmendment", changes={"target": 6}, reason="new oven",
                                                  actor="lea"))
        assert promise(ledger).target == 10.0 and promise(ledger).pending_amendment is not None
        accept(ledger, line("AcceptAmendment"))
        assert (promise(ledger).target, promise(ledger).pending_amendment) == (6.0, None)

    def test_nothing_to_accept(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed())
        reject(ledger, line("AcceptAmendment"), "promise p has no amendment waiting to be accepted")

    def test_a_declined_amendment_leaves_the_agreed_terms(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed(), line("ProposeAmendment", changes={"target": 6}, reason="new oven",
                                                  actor="lea"), line("DeclineAmendment", reason="not yet"))
        assert (promise(ledger).target, promise(ledger).pending_amendment) == (10.0, None)
        reject(ledger, line("AcceptAmendment"), "promise p has no amendment waiting to be accepted")

    def test_nothing_to_decline(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed())
        reject(ledger, line("DeclineAmendment", reason="r"), "promise p has no amendment waiting to be declined")

    def test_the_operator_amends_an_agreed_promise_directly(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed(), line("AmendPromise", changes={"target": 4}, reason="r"))
        assert (promise(ledger).target, promise(ledger).version) == (4.0, 3)

    def test_only_an_agreed_promise_is_amended_and_never_its_period(self, ledger: Ledger) -> None:
        accept(ledger, *proposed())
        reason = reject(ledger, line("AmendPromise", changes={"target": 4}, reason="r"),
                        "only an agreed promise can be amended")
        assert "CounterPropose" in reason  # says what to do instead
        accept(ledger, line("AgreePromise"))
        for type_ in ("AmendPromise", "ProposeAmendment"):
            reject(ledger, line(type_, changes={"period": "day"}, reason="r"), "the period of an agreed promise")


class TestRetirePromise:
    def test_nothing_happens_to_a_retired_promise(self, ledger: Ledger) -> None:
        accept(ledger, *proposed().agreed(), line("RetirePromise", reason="closed"))
        assert promise(ledger).status == "retired"
        for type_, fields in (("RetirePromise", {"reason": "again"}), ("AgreePromise", {}),
                              ("CounterPropose", {"changes": {"target": 1}}),
                              ("AmendPromise", {"changes": {"target": 1}, "reason": "r"})):
            reject(ledger, line(type_, **fields), "promise p", "retired")

    def test_the_promise_must_exist(self, ledger: Ledger) -> None:
        reject(ledger, line("RetirePromise", reason="r"), "unknown promise 'p'")


def acting(ledger: Ledger, person: str, *lines: dict[str, Any]) -> list[tuple[int, str]]:
    """Lines given by ``person`` through the API (judged by the permission table); the refusals, if any."""
    result = ledger.execute([parse_command(json.dumps({k: v for k, v in line.items() if k != "at"}))
                             for line in lines], acting=Acting(person, "api"))
    return [(i, reason) for i, reason in result.rejected] + [(i, reason) for i, _, reason in result.forbidden]


class TestConsent:
    """docs/brief.md §10: terms are in force once both sides consented, each through those who may consent for it."""

    def people(self) -> Scenario:
        return (preamble().member("cook", "cook").member("deputy", "cook").add("DelegateConsent", team="kitchen",
                                                                               person="deputy")
                .member("maitre", "maitre d'", lead=True, team="hall").client("walkin"))

    def test_for_a_client_nobody_represents_the_promisor_teams_consent_stands_for_both(self, ledger: Ledger) -> None:
        accept(ledger, *self.people())
        assert acting(ledger, "cook", {**line("ProposePromise"), "promise": "p", "promisor": "kitchen",
                                       "promisee": "walkin", "statement": "S", "metric": "wait", "target": 1,
                                       "period": "week"}) == []
        assert (promise(ledger).consents, promise(ledger).waiting_sides()) == (set(), {"promisor", "promisee"})
        assert acting(ledger, "deputy", line("AgreePromise")) == []  # one answer: kitchen's, for both
        assert promise(ledger).status == "agreed"

    def test_a_counter_proposal_takes_back_the_other_sides_consent(self, ledger: Ledger) -> None:
        accept(ledger, *self.people())
        assert acting(ledger, "lea", {**line("ProposePromise"), "promise": "p", "promisor": "kitchen",
                                      "promisee": "hall", "statement": "S", "metric": "wait", "target": 1,
                                      "period": "week"}) == []
        assert promise(ledger).waiting_sides() == {"promisee"}
        assert acting(ledger, "maitre", line("CounterPropose", changes={"target": 2})) == []
        assert promise(ledger).waiting_sides() == {"promisor"}  # new terms: kitchen consented to other ones
        refused = acting(ledger, "maitre", line("AgreePromise"))
        assert refused and "AgreePromise" in refused[0][1]
        assert acting(ledger, "lea", line("AgreePromise")) == []
        assert (promise(ledger).status, promise(ledger).target) == ("agreed", 2.0)

    def test_a_withdrawn_consent_holder_no_longer_consents(self, ledger: Ledger) -> None:
        accept(ledger, *self.people(), *Scenario(at=LATER).add("WithdrawConsent", team="kitchen", person="deputy"))
        accept(ledger, {**line("ProposePromise"), "promise": "p", "promisor": "kitchen", "promisee": "hall",
                        "statement": "S", "metric": "wait", "target": 1, "period": "week", "actor": "cook"})
        assert acting(ledger, "maitre", line("AgreePromise")) == []  # (the import's proposal brings kitchen's)
        assert promise(ledger).status == "agreed"
        assert acting(ledger, "cook", line("ProposeAmendment", changes={"target": 3}, reason="R")) == []
        assert acting(ledger, "deputy", line("AcceptAmendment"))  # refused: no longer a consent holder
        assert acting(ledger, "maitre", line("AcceptAmendment")) == []
        assert promise(ledger).pending_amendment["consents"] == ["promisee"]  # type: ignore[index]
        assert acting(ledger, "lea", line("AcceptAmendment")) == []
        assert (promise(ledger).target, promise(ledger).pending_amendment) == (3.0, None)

    def test_the_import_records_consent_given_elsewhere(self, ledger: Ledger) -> None:
        accept(ledger, *self.people(), {**line("ProposePromise"), "promise": "p", "promisor": "kitchen",
                                        "promisee": "hall", "statement": "S", "metric": "wait", "target": 1,
                                        "period": "week", "actor": "cook"}, line("AgreePromise", actor="cook"),
               line("ProposeAmendment", changes={"target": 3}, reason="R"), line("AcceptAmendment"))
        assert (promise(ledger).status, promise(ledger).target) == ("agreed", 3.0)
        reject(ledger, line("ProposeAmendment", changes={"promisee": "walkin"}, reason="R"),
               "cannot change who the promisee is")
