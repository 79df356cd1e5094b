"""docs/brief.md §8 and §10 "Cost bounds": the start page's lists that others can make grow, what awaits a person's
answer and the promises made to the clients they represent, are paged 50 at a time with how many there are in all,
and what awaits a person is exactly what the permission table lets them answer (a team's lead or consent holder, a
client's representative, the promisor team for a client nobody represents)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # a real server, a browser

PEOPLE = ("carol", "kate", "mallory", "dora", "bob", "holly", "olga")
TOKENS = {person: "write" for person in PEOPLE}
BULK = [f"p{i:03d}" for i in range(51)]  # one member's proposals to the diner


def _lines() -> list[dict[str, Any]]:
    scenario = Scenario()
    for person in PEOPLE:
        scenario.person(person)
    (scenario.council("carol").team("kitchen").member("kate", "chef", lead=True).member("mallory", "cook")
     .team("garden").member("bob", "gardener", lead=True).member("holly", "planter")
     .team("bakery").member("olga", "baker", lead=True)
     .client("diner").represent("dora", "diner").client("walkin").metric("ontime"))
    lines = scenario.lines()
    terms = {"metric": "ontime", "target": 90, "period": "week"}
    lines += [{"type": "DelegateConsent", "team": "garden", "person": "holly"}]
    lines += [{"type": "ProposePromise", "promise": key, "promisor": "kitchen", "promisee": "diner",
               "statement": f"Order {key} on time", "actor": "mallory", **terms} for key in BULK]
    lines += [  # the garden's consent given: the kitchen's lead is asked
        {"type": "ProposePromise", "promise": "g-kitchen", "promisor": "garden", "promisee": "kitchen",
         "statement": "Herbs every morning", "actor": "bob", **terms},
        # in force; the bakery asks for more: the garden's lead and its consent holder are asked
        {"type": "ProposePromise", "promise": "g-bakery", "promisor": "garden", "promisee": "bakery",
         "statement": "Flour from the mill", "actor": "bob", **terms},
        {"type": "AgreePromise", "promise": "g-bakery", "actor": "olga"},
        {"type": "ProposeAmendment", "promise": "g-bakery", "changes": {"target": 95}, "reason": "More bread",
         "actor": "olga"},
    ]
    return lines


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving("sqlite", tmp_path_factory.mktemp("home-paging"), _lines(), TOKENS) as server:
        # a member proposes to a client nobody represents: the kitchen consents for both sides, through its lead
        status, answer = server.api("POST", "/api/commands", "mallory", {
            "type": "ProposePromise", "promise": "m-walkin", "promisor": "kitchen", "promisee": "walkin",
            "statement": "Soup at noon", "metric": "ontime", "target": 90, "period": "week"})
        assert status == 200, answer
        yield server


def _section(html: str, section: str) -> str:
    start = html.index(f'id="{section}"')
    return html[start:html.index("</section>", start)]


def _promises_in(html: str) -> list[str]:
    return re.findall(r'<a href="/promises/([^"]+)">', html)


def _next(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _awaiting(served: Served, person: str) -> list[str]:
    """Every key the person's start page lists as awaiting their answer, following "Next proposals"."""
    keys: list[str] = []
    with served.session(person) as client:
        address: str | None = "/"
        while address is not None:
            section = _section(client.get(address).text, "awaiting")
            keys += _promises_in(section)
            address = _next(section)
    return keys


def test_the_representatives_lists_are_paged_fifty_at_a_time_with_their_counts(served: Served) -> None:
    with served.session("dora") as dora:
        first = dora.get("/").text
        awaiting = _section(first, "awaiting")
        assert "Awaiting your answer (51)" in awaiting and _promises_in(awaiting) == BULK[:50]
        assert "Proposals 1 to 50 of 51, by key." in awaiting
        assert _next(awaiting) == "/?offset=50#awaiting" and 'rel="prev"' not in awaiting
        promises = _section(first, "client-promises")
        assert "Promises made to your clients (51)" in promises
        assert _promises_in(promises) == BULK[:50] and "Promises 1 to 50 of 51" in promises
        assert _next(promises) == "/?promises_offset=50#client-promises"

        second = dora.get("/?offset=50").text  # the next link leads to the 51st
        awaiting = _section(second, "awaiting")
        assert "Awaiting your answer (51)" in awaiting and _promises_in(awaiting) == ["p050"]
        assert _next(awaiting) is None and 'href="/#awaiting" rel="prev">Previous proposals' in awaiting
        assert _promises_in(_section(second, "client-promises")) == BULK[:50]  # the other list stays where it was

        both = dora.get("/?offset=50&promises_offset=50").text
        promises = _section(both, "client-promises")
        assert _promises_in(promises) == ["p050"] and "Promises made to your clients (51)" in promises
        assert 'href="/?offset=50#client-promises" rel="prev"' in promises.replace("&amp;", "&")
        assert _promises_in(_section(both, "awaiting")) == ["p050"]

        past = _section(dora.get("/?offset=100&promises_offset=100").text, "client-promises")
        assert "No promises are made to your clients from here on." in past and "(51)" in past
        assert dora.get("/?promises_offset=99999999999999999999").status_code == 422


def test_what_awaits_each_person_is_what_the_permission_table_lets_them_answer(served: Served) -> None:
    expected = {"dora": BULK, "kate": ["g-kitchen", "m-walkin"], "bob": ["g-bakery"], "holly": ["g-bakery"],
                "mallory": [], "olga": [], "carol": []}
    for person, keys in expected.items():
        assert _awaiting(served, person) == keys, person
    with served.session("bob") as bob:
        assert "an amendment awaits your acceptance" in _section(bob.get("/").text, "awaiting")
    # the promise pages offer "Agree"/"Accept amendment" to exactly these people (the permission table's answer)
    for key in ("g-kitchen", "g-bakery", "m-walkin", "p000", "p050"):
        for person in PEOPLE:
            with served.session(person) as client:
                page = client.get(f"/promises/{key}").text
            offered = f'action="/promises/{key}/agree"' in page or f'action="/promises/{key}/accept-amendment"' in page
            assert offered == (key in expected[person]), (person, key)


def test_the_paged_start_page_is_accessible_and_its_next_link_leads_on(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "dora")
    try:
        assert_accessible_at(page, served.url("/?offset=50&promises_offset=50"), "the start page, second pages")
        page.goto(served.url("/"))
        page.locator("#client-promises").get_by_role("link", name="Next promises").click()
        page.wait_for_url(served.url("/?promises_offset=50#client-promises"))
        assert page.locator("#client-promises tbody tr").count() == 1
        assert "p050" in page.locator("#client-promises").inner_text()
        page.locator("#awaiting").get_by_role("link", name="Next proposals").click()
        page.wait_for_url(served.url("/?offset=50&promises_offset=50#awaiting"))
        assert page.locator("#awaiting li").count() == 1
    finally:
        context.close()
