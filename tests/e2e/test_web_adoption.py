"""docs/brief.md §11 in a real browser on SQLite and PostgreSQL: a proven solution spreads by clicks. The experiment
page of delivery's adopted ``exp-hot-boxes`` lists where it spread and offers "Adopt solution" to members of other
teams (never to the team that ran it); a metric of another team is refused beside the form naming the rule; each
adoption shows its effect on the adopting team's metric once both windows hold two readings; the council's
company page counts the teams running it. axe-core clean, no sideways scroll at a phone's width."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.axe import assert_accessible, assert_accessible_at, assert_fits_width
from tests.support.browser import Served, serving, sign_in
from tests.support.clock import ago
from tests.support.stores import STORES
from tests.support.web_company import LINES, TOKENS

pytestmark = pytest.mark.processes  # a server, a browser

PAGE = "/experiments/exp-hot-boxes"
EXTRA = [  # olga leads the bakery and helps in the kitchen; each team owns a waiting-time metric
    {"type": "AddMember", "id": "a1", "at": "2026-01-03T00:00:00Z", "team": "kitchen", "person": "olga",
     "role": "baker"},
    {"type": "DefineMetric", "id": "a2", "at": "2026-01-03T00:00:00Z", "metric": "kitchen-wait",
     "name": "Kitchen waiting time", "unit": "min", "direction": "lower_is_better", "owner": "kitchen"},
    {"type": "DefineMetric", "id": "a3", "at": "2026-01-03T00:00:00Z", "metric": "bakery-wait",
     "name": "Bakery queue", "unit": "min", "direction": "lower_is_better", "owner": "bakery"},
    *({"type": "RecordReading", "id": f"a-r{days}", "at": ago(days=days), "metric": "kitchen-wait", "value": value}
      for days, value in ((20, 12.0), (15, 13.5), (10, 12.5))),
]


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"adoption-{request.param}"), [*LINES, *EXTRA],
                 TOKENS) as server:
        yield server


def _adopt(page: Any, team: str, metric: str) -> None:
    form = page.locator("#adopt")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.get_by_label("Your team that takes it up").select_option(team)
    form.get_by_label("The team's own metric where the effect should show").select_option(metric)
    form.get_by_label("Why the team takes it up").fill("Our queue is as long as theirs was")
    form.get_by_role("button", name="Adopt solution").click()


def _running(served: Served) -> str:
    return served.page("cora", "/company").text.split('data-experiment="exp-hot-boxes"')[1].split(
        'class="teams-running">')[1].split("<")[0]


def test_the_team_that_ran_it_sees_where_it_spread_and_no_form(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url(PAGE))
        spread = page.locator("#spread")
        assert "It runs in 1 team: delivery (ran it)." in spread.inner_text()
        assert "No other team has adopted it yet." in spread.inner_text()
        assert page.locator("#adopt").count() == 0
    finally:
        context.close()
    assert _running(served) == "1"


def test_a_lead_is_refused_another_teams_metric_then_adopts_and_a_plain_member_may_not(browser: Any,
                                                                                       served: Served) -> None:
    """olga leads the bakery and is a plain member of the kitchen: docs/brief.md §10 lets a team's lead or
    consent holder adopt for it, so the form offers the bakery only."""
    context, page = sign_in(browser, served, "olga")
    try:
        assert_accessible_at(page, served.url(PAGE), "the experiment page with the Adopt solution form")
        page.locator("#adopt summary").click()  # at a phone's width, where assert_accessible_at leaves it
        assert_accessible(page, "the open Adopt solution form at a phone's width")
        assert_fits_width(page, "the open Adopt solution form at a phone's width")
        page.set_viewport_size({"width": 1100, "height": 900})
        assert page.locator("#adopt-team option").evaluate_all("found => found.map(o => o.value)") == ["bakery"]
        page.locator("#adopt-metric").evaluate("s => s.add(new Option('kitchen-wait', 'kitchen-wait'))")  # forced
        with page.expect_response(served.url(f"{PAGE}/adoptions")) as answer:
            _adopt(page, "bakery", "kitchen-wait")
        assert answer.value.status == 422
        error = page.locator("#adopt [role=alert]").inner_text()
        assert "AdoptSolution: the effect is measured on a metric the adopting team owns" in error
        assert "metric 'kitchen-wait' is team 'kitchen''s, not team 'bakery''s" in error
        assert page.locator("#adopt-reason").input_value() == "Our queue is as long as theirs was"  # kept
        _adopt(page, "bakery", "bakery-wait")
        page.wait_for_url(served.url(f"{PAGE}#spread"))
        item = page.locator("#spread li[data-team=bakery]").inner_text()
        assert item.startswith("bakery adopted it on ") and "Bakery queue: no effect to show yet" in item
        assert page.locator("#adopt").count() == 0  # the bakery adopted it once; the kitchen is its lead's to adopt
    finally:
        context.close()


def test_an_adoption_shows_its_effect_once_the_windows_hold_two_readings(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "kim")
    try:
        page.goto(served.url(PAGE))
        _adopt(page, "kitchen", "kitchen-wait")
        page.wait_for_url(served.url(f"{PAGE}#spread"))
        item = page.locator("#spread li[data-team=kitchen]").inner_text()
        assert "the 28 days before hold 3, the 28 days after 0" in item
        for value in (9.0, 10.0):
            status, answer = served.api("POST", "/api/commands", "kim",
                                        {"type": "RecordReading", "metric": "kitchen-wait", "value": value})
            assert status == 200, answer
        page.reload()
        item = page.locator("#spread li[data-team=kitchen]").inner_text()
        assert "Kitchen waiting time \u22123.2 min (12.7 \u2192 9.5; p = 0.028, " in item, item
        assert item.endswith("3 readings before vs 2 after), better")  # lower is better: it worked there too
        assert "It runs in 3 teams: delivery (ran it), bakery, kitchen." in page.locator("#spread").inner_text()
        assert page.locator("#adopt").count() == 0  # kim's only team has adopted it
        assert_accessible(page, "the experiment page with adoptions")
        page.goto(served.url("/audit?team=kitchen"))
        adopted = page.locator("tr", has_text="Adoption").first
        assert adopted.locator("a", has_text="exp-hot-boxes/kitchen").get_attribute("href") == PAGE
    finally:
        context.close()
    assert _running(served) == "3"


def test_the_pages_read_well_on_a_phone_and_as_of_before_any_adoption(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "olga")
    try:
        assert_accessible_at(page, served.url(PAGE), "the experiment page with two adoptions")
        page.goto(served.url(f"{PAGE}?as_of=2026-03-01"))
        assert "No other team has adopted it as of this date." in page.locator("#spread").inner_text()
        assert page.locator("#adopt").count() == 0  # looking back is read only
    finally:
        context.close()
    context, page = sign_in(browser, served, "cora")
    try:
        assert_accessible_at(page, served.url("/company"), "the company page with proven solutions")
        row = page.locator("#proven-solutions tr[data-experiment=exp-hot-boxes]").inner_text()
        assert "adopted by bakery, kitchen" in row
    finally:
        context.close()
