"""docs/brief.md §9 on the client page, in a real browser on SQLite and PostgreSQL: each complaint's state is in
words, not only in colour, with the same clock the team page shows ("open 5 h · overdue by 3 h", "answer due
soon", answered, resolved and whether its deadlines were kept); the page passes axe-core at a laptop's and a
phone's width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.clock import ago
from tests.support.stores import STORES
from tests.support.web_company import LINES, TOKENS
from tests.support.web_complaints import RULES, complaint

pytestmark = pytest.mark.processes  # a server, a browser

CLIENT = "/clients/households"


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    lines = [*LINES,
             RULES,
             complaint("cc-late", 5), complaint("cc-soon", 1.75), complaint("cc-answered", 1),
             {"type": "RespondToFeedback", "id": "cc-answer", "at": ago(hours=0.5), "feedback_id": "cc-answered",
              "response": "A new box is on its way"},
             complaint("cc-resolved", 30),
             {"type": "ResolveFeedback", "id": "cc-resolve", "at": ago(hours=26), "feedback_id": "cc-resolved",
              "resolution": "Refunded"}]
    with serving(request.param, tmp_path_factory.mktemp(f"client-complaints-{request.param}"), lines,
                 TOKENS) as server:
        yield server


def _state(page: Any, text: str) -> str:
    return str(page.locator("#complaints li", has_text=text).inner_text())


def test_the_client_page_says_each_complaints_state_in_words(browser: Any, served: Served) -> None:
    status, view = served.api("GET", f"/api/{CLIENT[1:]}", "lena")
    assert status == 200
    assert {c["feedback_id"]: c["sla"] for c in view["open_complaints"]} == {
        "fb-old": "none", "cc-late": "overdue", "cc-soon": "due_soon", "cc-answered": "on_time"}
    context, page = sign_in(browser, served, "lena")  # delivery's lead: the team concerned reads the texts
    try:
        assert_accessible_at(page, served.url(CLIENT), "client page with complaint states")
        late = page.locator("#complaints li", has_text="Complaint cc-late")
        assert re.fullmatch(r"open 5 h( \d+ min)? · overdue by 3 h( \d+ min)? \(answer was due\)",
                            late.locator(".clock").inner_text())  # the test may take minutes
        assert "Not answered yet" in late.inner_text()
        assert re.search(r"open 1 h 4\d min · answer due soon, in 1\d min", _state(page, "Complaint cc-soon"))
        answered = _state(page, "Complaint cc-answered")
        assert re.search(r"open 1 h( \d+ min)? · resolution due, in 2[23] h", answered)
        assert "Answered" in answered and "A new box is on its way" in answered
        assert "open 2" in _state(page, "The courier was late")  # no durations in force then: age only
        resolved = page.locator("#resolved li", has_text="Complaint cc-resolved")
        assert "Resolved after 4 h, a deadline was missed" in resolved.inner_text()
        assert "Refunded" in resolved.inner_text()
    finally:
        context.close()


def test_a_reader_not_concerned_sees_the_states_without_the_texts(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "olga")  # the bakery's lead: not concerned with households
    try:
        page.goto(served.url(CLIENT))
        items = page.locator("#complaints li")
        assert items.count() == 4
        clocks = items.locator(".clock").all_inner_texts()
        assert any("overdue by 3 h" in clock for clock in clocks) and any("due soon" in c for c in clocks)
        assert "A new box is on its way" not in page.content() and "Refunded" not in page.content()
        assert page.locator("#complaints li .answered").count() == 1  # answered: when, not what
    finally:
        context.close()
