"""docs/brief.md §10 "Consent stays with the parties", through a real server on SQLite and on PostgreSQL
(issue 17: item 1, and what a new user tried): a counter-proposal never changes who the promisee is, a team
consents through its lead or a consent holder (not a courier), a plain member's proposal waits for their own
side's consent too, retiring takes a side's consent, and a second amendment waits for the first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cli import cli
from tests.support.company_server import company_server, post_command
from tests.support.scenario import Scenario
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # real servers

PEOPLE = ("carol", "lead", "courier", "holder", "hlead", "waiter", "rep", "orep")
SEED = (
    Scenario(at="2026-01-05T09:00:00Z").person("carol").person("lead").person("courier").person("holder")
    .person("hlead").person("waiter").person("rep").person("orep").council("carol")
    .team("kitchen").member("lead", "chef", lead=True).member("courier", "courier").member("holder", "sous-chef")
    .add("DelegateConsent", team="kitchen", person="holder")
    .team("hall").member("hlead", "maitre d'", lead=True, team="hall").member("waiter", "waiter", team="hall")
    .client("diner").represent("rep", "diner").client("other").represent("orep", "other").metric("wait")
).lines()


@pytest.fixture(scope="module", params=STORES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("consent")
    for store in module_store(request.param, folder):
        with company_server(store, folder, SEED, PEOPLE) as world:
            yield world


post = post_command


def view(world: dict[str, Any], promise: str) -> dict[str, Any]:
    with world["server"].client(world["tokens"]["carol"]) as http:
        answer = http.get(f"/api/promises/{promise}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def ok(response: Any) -> Any:
    assert response.status_code == 200 and response.json()["status"] == "accepted", response.text
    return response.json()


def forbidden(response: Any, row: str, person: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["rule"].startswith(f"{row}: the lead or a consent holder of ")
    assert response.json()["error"].startswith(f"{person} may not {row}")


def propose(world: dict[str, Any], person: str, promise: str, promisee: str) -> None:
    ok(post(world, person, {"type": "ProposePromise", "promise": promise, "promisor": "kitchen",
                            "promisee": promisee, "statement": "Hot food", "metric": "wait", "target": 10,
                            "period": "week"}))


def events(world: dict[str, Any], promise: str) -> list[tuple[str, str]]:
    return [(h["event"], h["actor"]) for h in view(world, promise)["history"]]


def test_a_counter_proposal_or_amendment_cannot_change_the_promisee(world: dict[str, Any]) -> None:
    """Item 1: diner's representative named another client as promisee, the team agreed, and the promise stood
    agreed with a client whose representative never answered."""
    propose(world, "lead", "p-switch", "diner")
    switched = post(world, "rep", {"type": "CounterPropose", "promise": "p-switch",
                                   "changes": {"promisee": "other", "target": 9}})
    assert switched.status_code == 422, switched.text
    assert "changes.promisee" in switched.json()["error"] and "cannot change who the promisee is" in \
        switched.json()["error"] and "new promise" in switched.json()["error"]
    forbidden(post(world, "lead", {"type": "AgreePromise", "promise": "p-switch"}), "AgreePromise", "lead")
    shown = view(world, "p-switch")
    assert (shown["status"], shown["promisee"], shown["target"]) == ("proposed", "diner", 10)
    assert events(world, "p-switch") == [("Proposed", "lead")]

    ok(post(world, "rep", {"type": "AgreePromise", "promise": "p-switch"}))
    amended = post(world, "rep", {"type": "ProposeAmendment", "promise": "p-switch",
                                  "changes": {"promisee": "other"}, "reason": "moved"})
    assert amended.status_code == 422 and "cannot change who the promisee is" in amended.json()["error"]
    promisor = post(world, "rep", {"type": "CounterPropose", "promise": "p-switch", "changes": {"promisor": "hall"}})
    assert promisor.status_code == 422 and "promisor" in promisor.json()["error"]
    assert (view(world, "p-switch")["promisee"], view(world, "p-switch")["pending_amendment"]) == ("diner", None)


def test_a_courier_does_not_consent_for_the_team_its_lead_or_consent_holder_does(world: dict[str, Any]) -> None:
    propose(world, "courier", "p-courier", "diner")
    assert view(world, "p-courier")["awaiting_consent"] == ["kitchen", "diner"]
    ok(post(world, "rep", {"type": "AgreePromise", "promise": "p-courier"}))
    shown = view(world, "p-courier")  # the client consented; kitchen has not
    assert (shown["status"], shown["awaiting_consent"]) == ("proposed", ["kitchen"])
    text = cli("promise", "show", "p-courier", "--views", str(world["folder"] / "cli-views.duckdb"),
               store=world["store"]).stdout
    assert "awaiting the consent of kitchen" in text and "Consented" in text
    forbidden(post(world, "courier", {"type": "AgreePromise", "promise": "p-courier"}), "AgreePromise", "courier")
    forbidden(post(world, "rep", {"type": "AgreePromise", "promise": "p-courier"}), "AgreePromise", "rep")
    ok(post(world, "holder", {"type": "AgreePromise", "promise": "p-courier"}))
    assert (view(world, "p-courier")["status"], view(world, "p-courier")["awaiting_consent"]) == ("agreed", [])
    assert events(world, "p-courier") == [("Proposed", "courier"), ("Consented", "rep"), ("Agreed", "holder")]


def test_a_plain_members_proposal_waits_for_its_own_lead_and_then_the_other_side(world: dict[str, Any]) -> None:
    propose(world, "courier", "p-inner", "hall")
    forbidden(post(world, "waiter", {"type": "AgreePromise", "promise": "p-inner"}), "AgreePromise", "waiter")
    ok(post(world, "lead", {"type": "AgreePromise", "promise": "p-inner"}))
    assert view(world, "p-inner")["status"] == "proposed"  # kitchen consented; hall has not
    forbidden(post(world, "holder", {"type": "AgreePromise", "promise": "p-inner"}), "AgreePromise", "holder")
    ok(post(world, "hlead", {"type": "AgreePromise", "promise": "p-inner"}))
    assert view(world, "p-inner")["status"] == "agreed"
    # a courier's amendment waits for both sides as well
    ok(post(world, "courier", {"type": "ProposeAmendment", "promise": "p-inner", "changes": {"target": 8},
                               "reason": "new vans"}))
    assert view(world, "p-inner")["awaiting_consent"] == ["kitchen", "hall"]
    ok(post(world, "hlead", {"type": "AcceptAmendment", "promise": "p-inner"}))
    shown = view(world, "p-inner")
    assert (shown["target"], shown["pending_amendment"]["changes"], shown["awaiting_consent"]) == (
        10, {"target": 8}, ["kitchen"])
    forbidden(post(world, "courier", {"type": "AcceptAmendment", "promise": "p-inner"}), "AcceptAmendment",
              "courier")
    ok(post(world, "lead", {"type": "AcceptAmendment", "promise": "p-inner"}))
    shown = view(world, "p-inner")
    assert (shown["target"], shown["pending_amendment"], shown["awaiting_consent"]) == (8, None, [])
    assert [event for event, _ in events(world, "p-inner")] == [
        "Proposed", "Consented", "Agreed", "AmendmentProposed", "Consented", "Amended"]


def test_retiring_an_inter_team_promise_takes_a_sides_consent(world: dict[str, Any]) -> None:
    propose(world, "lead", "p-retire", "hall")
    ok(post(world, "hlead", {"type": "AgreePromise", "promise": "p-retire"}))
    for person in ("waiter", "courier"):
        forbidden(post(world, person, {"type": "RetirePromise", "promise": "p-retire", "reason": "no"}),
                  "RetirePromise", person)
    assert view(world, "p-retire")["status"] == "agreed"
    ok(post(world, "hlead", {"type": "RetirePromise", "promise": "p-retire", "reason": "hall closed"}))
    assert view(world, "p-retire")["status"] == "retired"


def test_a_second_amendment_waits_until_the_first_is_accepted_or_declined(world: dict[str, Any]) -> None:
    propose(world, "lead", "p-amend", "diner")
    ok(post(world, "rep", {"type": "AgreePromise", "promise": "p-amend"}))
    ok(post(world, "rep", {"type": "ProposeAmendment", "promise": "p-amend", "changes": {"target": 8},
                           "reason": "rush hour"}))
    second = post(world, "lead", {"type": "ProposeAmendment", "promise": "p-amend", "changes": {"target": 7},
                                  "reason": "ours instead"})
    assert second.status_code == 422, second.text
    assert "already has an amendment awaiting an answer" in second.json()["error"]
    assert "accepted or declined first" in second.json()["error"]
    batch = post(world, "lead", [{"type": "ProposeAmendment", "promise": "p-amend", "changes": {"target": 7},
                                  "reason": "ours instead"}])
    assert batch.json()["results"][0]["status"] == "rejected"
    pending = view(world, "p-amend")["pending_amendment"]
    assert (pending["changes"], pending["actor"]) == ({"target": 8}, "rep")
    forbidden(post(world, "courier", {"type": "DeclineAmendment", "promise": "p-amend", "reason": "no"}),
              "DeclineAmendment", "courier")
    ok(post(world, "lead", {"type": "DeclineAmendment", "promise": "p-amend", "reason": "not now"}))
    ok(post(world, "lead", {"type": "ProposeAmendment", "promise": "p-amend", "changes": {"target": 7},
                            "reason": "ours instead"}))
    assert view(world, "p-amend")["pending_amendment"]["changes"] == {"target": 7}
    assert [event for event, _ in events(world, "p-amend")][-3:] == [
        "AmendmentProposed", "AmendmentDeclined", "AmendmentProposed"]
