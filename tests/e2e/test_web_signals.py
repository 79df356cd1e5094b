"""docs/brief.md §9 "In the workspace" in a browser, on SQLite and PostgreSQL: the start page's "Needs your
attention (N)" lists the person's active signals (kind in words, a link to the subject, since when, the severity
in words as well as colour), follows a new event without a reload and, every 30 s, a signal raised by time alone;
the council's company page lists every signal; both are axe-core clean and fit a 390-pixel phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.cli import import_lines
from tests.support.clock import ago
from tests.support.scenario import Scenario
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server and a browser

PEOPLE = {"cora": "Cora Council", "lena": "Lena Lead", "rosa": "Rosa Representative", "kim": "Kim Kitchen"}
TOKENS = dict.fromkeys(PEOPLE, "write")


def _company() -> list[dict[str, Any]]:
    s = Scenario(at="2026-01-01T00:00:00Z")
    for person, name in PEOPLE.items():
        s.person(person, name)
    (s.council("cora").team("delivery").member("lena", "team-lead", lead=True).team("kitchen")
     .member("kim", "cook", lead=True).client("corner-cafe", "Corner Cafe").represent("rosa").metric("ontime")
     .promise("p-cafe-dinner", "Dinner trays by six", 85, promisor="delivery", promisee="corner-cafe",
              at="2026-03-01T09:00:00Z"))  # waits for rosa: a signal from 3 March
    return [{"id": f"s{n}", **line} for n, line in enumerate(s)]


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"web-signals-{request.param}"), _company(),
                 TOKENS) as server:
        yield server


def _heading(page: Any) -> str:
    return str(page.locator("#attention h2").inner_text())


def _wait_for_heading(page: Any, count: int, timeout: float = 15) -> None:
    page.wait_for_function("n => document.querySelector('#attention h2').textContent === "
                           "'Needs your attention (' + n + ')'", arg=count, timeout=timeout * 1000)


def test_the_start_page_lists_what_needs_the_persons_attention_and_follows_a_new_event(
        browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "rosa")
    try:
        assert _heading(page) == "Needs your attention (1)"
        item = page.locator("#attention li").first
        assert "Proposal waiting for an answer" in item.inner_text() and "warning" in item.inner_text()
        assert "client corner-cafe" in item.inner_text() and "since 2026-03-03 09:00 UTC" in item.inner_text()
        assert item.get_by_role("link", name="promise p-cafe-dinner").get_attribute("href") == "/promises/p-cafe-dinner"
        page.wait_for_selector("html[data-live-ready]", state="attached")
        page.wait_for_timeout(300)  # the EventSource connects
        status, _ = served.api("POST", "/api/commands", "rosa", {"type": "AgreePromise", "promise": "p-cafe-dinner"})
        assert status == 200
        _wait_for_heading(page, 0)
        assert "Nothing needs your attention" in page.locator("#attention").inner_text()
    finally:
        context.close()


def test_a_signal_raised_by_time_alone_appears_within_30_seconds(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "kim")
    try:
        page.wait_for_selector("html[data-live-ready]", state="attached")
        assert _heading(page) == "Needs your attention (0)"
        import_lines(served.store, [{"type": "ProposePromise", "promise": "p-inside", "promisor": "delivery",
                                     "promisee": "kitchen", "statement": "Pick-ups on time", "metric": "ontime",
                                     "target": 90, "period": "week", "at": ago(days=2, seconds=-20)}])
        page.wait_for_timeout(4_000)  # the event's refresh: two days have not passed yet
        assert _heading(page) == "Needs your attention (0)"
        _wait_for_heading(page, 1, 45)  # raised 20 s after the proposal was written, with no event
        assert "promise p-inside" in page.locator("#attention").inner_text()
    finally:
        context.close()


def test_the_council_sees_every_signal_on_the_company_page(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "cora")
    try:
        _, answer = served.api("GET", "/api/signals", "cora")
        expected = sorted(f"{s['subject']['type']} {s['subject']['key']}" for s in answer["signals"])
        page.goto(served.url("/company"))
        signals = page.locator("#signals")
        assert signals.locator("h2").inner_text() == f"Signals ({len(expected)})"
        assert sorted(signals.locator("li a").all_inner_texts()) == expected
        page.goto(served.url("/"))
        assert _heading(page) == f"Needs your attention ({len(expected)})"
        for path in ("/", "/company"):
            assert_accessible_at(page, served.url(path), f"{path} with signals")
    finally:
        context.close()
