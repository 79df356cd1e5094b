"""docs/brief.md §9 on the pages, in a real browser on SQLite and PostgreSQL: the team page shows each open
complaint's age and state in words and a "Respond" form (the lead answers, the page shows it answered); the lead's
"Communication rules" form takes the complaint durations and refuses a bad one naming the field; the council's
company page lists the complaints that name no team and gives one a team. Both pages pass axe-core and fit a
390 px phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.stores import STORES
from tests.support.web_company import LINES, TOKENS
from tests.support.web_complaints import RULES, complaint

pytestmark = pytest.mark.processes  # a server, a browser

TEAM = "/teams/delivery"


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    lines = [*LINES,
             RULES,
             complaint("ct-late", 5), complaint("ct-soon", 1.75), complaint("ct-nobody", 3, team=None)]
    with serving(request.param, tmp_path_factory.mktemp(f"complaint-times-{request.param}"), lines, TOKENS) as server:
        yield server


def _open(served: Served) -> dict[str, dict[str, Any]]:
    status, view = served.api("GET", "/api/teams/delivery", "cora")
    assert status == 200, view
    return {c["feedback_id"]: c for c in view["open_complaints"]}


def test_the_lead_responds_to_an_overdue_complaint_on_the_team_page(browser: Any, served: Served) -> None:
    assert _open(served)["ct-late"]["sla"] == "overdue" and _open(served)["ct-soon"]["sla"] == "due_soon"
    context, page = sign_in(browser, served, "lena")
    try:
        assert_accessible_at(page, served.url(TEAM), "team page with complaint clocks")
        page.set_viewport_size({"width": 1100, "height": 900})
        late = page.locator("#complaints li", has_text="Complaint ct-late")
        assert "overdue by 3 h" in late.locator(".clock").inner_text()
        assert "answer due soon, in 1" in page.locator("#complaints li", has_text="Complaint ct-soon").inner_text()
        late.get_by_text("Respond…").click()
        late.get_by_label("Answer to the client").fill("Sorry - a courier is on the way")
        late.get_by_role("button", name="Respond").click()
        page.wait_for_url(served.url(f"{TEAM}#complaints"))
        late = page.locator("#complaints li", has_text="Complaint ct-late")
        assert "Answered" in late.inner_text() and "a courier is on the way" in late.inner_text()
        assert "overdue by 3 h" in late.locator(".clock").inner_text()  # answered late: overdue until resolved
        answered = _open(served)["ct-late"]
        assert answered["responded_at"] is not None and answered["sla"] == "overdue"
        assert late.get_by_text("Respond…").count() == 0  # the first answer only
    finally:
        context.close()


def test_an_overdue_complaint_needs_the_leads_attention_and_links_to_the_complaints(browser: Any,
                                                                                   served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        overdue = page.locator(".signal", has_text="Complaint overdue").first
        assert "complaint ct-late" in overdue.inner_text() and "critical" in overdue.inner_text()
        assert overdue.get_by_role("link").get_attribute("href") == "/teams/delivery#complaints"
        overdue.get_by_role("link").click()
        page.wait_for_url(served.url(f"{TEAM}#complaints"))
    finally:
        context.close()


def test_a_member_of_another_team_may_not_respond_and_sees_why(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "olga")  # the bakery's lead
    try:
        page.goto(served.url(TEAM))
        assert page.get_by_text("Respond…").count() == 0
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        with page.expect_response(served.url(f"{TEAM}/complaints/respond")) as answer:
            page.evaluate("""([token]) => { const f = document.createElement('form'); f.method = 'post';
            f.action = '/teams/delivery/complaints/respond';
            for (const [k, v] of [['csrf_token', token], ['feedback_id', 'ct-soon'], ['response', 'Hi']]) {
              const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
            document.body.append(f); f.submit(); }""", [token])
        assert answer.value.status == 403
        error = page.locator("#complaints li [role=alert]")  # beside that complaint's form (its text is not hers)
        assert "RespondToFeedback: members of the team concerned" in error.inner_text()
    finally:
        context.close()


def test_the_lead_sets_the_complaint_durations_and_a_bad_one_is_named(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url(TEAM))
        form = page.locator("#rules-form")
        form.locator("summary").click()
        assert form.get_by_label("Complaints answered within").input_value() == "PT2H"
        form.get_by_label("Complaints answered within").fill("2 hours")
        form.get_by_role("button", name="Set rules").click()
        error = page.locator("#rules-form [role=alert]")
        assert "complaint_response_within" in error.inner_text()
        page.locator("#rules-form").get_by_label("Complaints answered within").fill("PT3H")
        assert page.locator("#rules-form").get_by_label("Rules, one a line").input_value() == (
            "Complaints are answered within 2 hours")  # what was typed is kept
        page.locator("#rules-form").get_by_role("button", name="Set rules").click()
        page.wait_for_url(served.url(f"{TEAM}#rules"))
        assert "answered within 3 h, resolved within 1 d" in page.locator("#rules").inner_text()
        status, view = served.api("GET", "/api/teams/delivery", "lena")
        assert status == 200
        assert (view["complaint_response_within"], view["complaint_resolution_within"]) == ("PT3H", "P1D")
        soon = next(c for c in view["open_complaints"] if c["feedback_id"] == "ct-soon")
        kept = datetime.fromisoformat(soon["respond_by"]) - datetime.fromisoformat(soon["occurred_at"])
        assert kept == timedelta(hours=2)  # an earlier complaint keeps the durations in force when it occurred
    finally:
        context.close()


def test_the_council_gives_a_complaint_naming_no_team_a_team(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "cora")
    try:
        assert_accessible_at(page, served.url("/company"), "company page with complaints naming no team")
        page.set_viewport_size({"width": 1100, "height": 900})
        item = page.locator("#unassigned li", has_text="Complaint ct-nobody")
        assert "open 3 h" in item.inner_text()
        item.get_by_label("Give it to").select_option("kitchen")
        item.get_by_role("button", name="Assign").click()
        page.wait_for_url(served.url("/company#assign"))
        assert page.locator("#unassigned li", has_text="Complaint ct-nobody").count() == 0
        status, kitchen = served.api("GET", "/api/teams/kitchen", "cora")
        assert status == 200 and [c["feedback_id"] for c in kitchen["open_complaints"]] == ["ct-nobody"]
        assert kitchen["open_complaints"][0]["sla"] == "none"  # the kitchen set no durations
    finally:
        context.close()


def test_the_api_refuses_a_bad_duration_naming_the_field_and_records_a_response(served: Served) -> None:
    bad = {"type": "SetCommunicationRules", "team": "delivery", "rules": ["r"], "complaint_resolution_within": "-P1D"}
    status, answer = served.api("POST", "/api/commands", "lena", bad)
    assert status == 422 and "complaint_resolution_within" in answer["error"], answer
    status, answer = served.api("POST", "/api/commands", "max",
                                {"type": "RespondToFeedback", "feedback_id": "ct-soon", "response": "On it"})
    assert (status, answer["status"]) == (200, "accepted"), answer
    assert _open(served)["ct-soon"]["responded_at"] is not None
    status, answer = served.api("POST", "/api/commands", "max",  # delivery's courier, for the kitchen
                                {"type": "AssignFeedback", "feedback_id": "ct-soon", "team": "kitchen"})
    assert (status, answer["rule"]) == (403, "AssignFeedback: council, or a member taking it for their own team")
    status, answer = served.api("POST", "/api/commands", "kim",  # the kitchen's lead: it names a team already
                                {"type": "AssignFeedback", "feedback_id": "ct-soon", "team": "kitchen"})
    assert status == 422 and "already has a team" in answer["error"], answer
