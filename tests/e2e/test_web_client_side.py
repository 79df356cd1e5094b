"""docs/brief.md §8 "The client's side": a client representative's start page lists their clients, what awaits
their answer, the promises made to their clients with how each is doing and their open complaints, and logs a
complaint with "Log complaint", which the team it concerns sees arrive live. Pages show people's names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import Served, sign_in
from tests.support.clock import ago
from tests.support.web_company import complaint

pytestmark = pytest.mark.processes  # a server, a browser


def _section(page: Any, heading: str) -> Any:
    return page.locator("section.card", has=page.locator("h2", has_text=heading))


def test_the_representative_sees_their_clients_side(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "rosa")
    try:
        assert page.get_by_text("You are not a member of any team").count() == 0
        clients = page.locator("#your-clients")
        assert clients.get_by_role("link", name="Corner Cafe").get_attribute("href") == "/clients/corner-cafe"
        assert "households" not in clients.inner_text()  # not a client of hers
        assert "p-cafe-dinner" in page.locator("#awaiting").inner_text()  # her consent is asked
        # attainment counts the 13 calendar weeks before the current one: as of a week after the last reading
        page.goto(served.url("/?as_of=2026-03-10T12:00:00Z"))
        row = page.locator("#client-promises").locator("tr", has_text="p-cafe-lunch")
        assert "agreed" in row.inner_text() and "Delivery" in row.inner_text()  # the promisor team by name
        assert "2026-03-02: ✓ kept" in row.inner_text() and "kept 3 of the last 4" in row.inner_text()
        complaints = page.locator("#client-complaints")
        assert "Lunch boxes came at half past twelve" in complaints.inner_text()
        assert "Corner Cafe" in complaints.inner_text() and "Corner Cafe" in row.inner_text()  # her client by name
        assert "The courier was late" not in page.content()  # another client's complaint
        assert page.get_by_text("Economics").count() == 0
    finally:
        context.close()


def test_a_logged_complaint_reaches_the_team_page_live(browser: Any, served: Served) -> None:
    lena_context, team_page = sign_in(browser, served, "lena")
    rosa_context, page = sign_in(browser, served, "rosa")
    text = f"Cold lunch boxes ({served.store[:8]})"
    try:
        team_page.goto(served.url("/teams/delivery"))
        team_page.wait_for_function("document.documentElement.getAttribute('data-live-ready') === '1'")
        before = int(team_page.locator("#open-complaints").inner_text().split("(")[1].rstrip(")"))
        mine_before = page.locator("#client-complaints").locator("h2").inner_text()
        form = page.locator("#log-complaint")
        form.get_by_label("Client").select_option("corner-cafe")
        form.get_by_label("Team it concerns (optional)").select_option(label="Delivery")
        form.get_by_label("Promise it concerns (optional)").select_option("p-cafe-lunch")
        form.get_by_label("Rating, 0 (worst) to 10 (optional)").fill("3")
        form.get_by_label("What went wrong").fill(text)
        form.get_by_role("button", name="Log complaint").click()
        page.wait_for_url(served.url("/#client-complaints"))
        assert text in page.locator("#client-complaints").inner_text()
        assert page.locator("#client-complaints").locator("h2").inner_text() != mine_before
        team_page.wait_for_function("n => document.getElementById('open-complaints').textContent.trim() === "
                                    "'Open complaints (' + n + ')'", arg=before + 1, timeout=5000)
        assert team_page.get_by_text(text).count() == 1
        status, audit = served.api("GET", "/api/audit?actor=rosa", "cora")
        assert status == 200 and any(e["event"] == "Recorded" and e["channel"] == "web" for e in audit["events"])
    finally:
        rosa_context.close()
        lena_context.close()


def test_a_complaint_from_a_support_desk_reaches_the_representative_live(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "rosa")
    try:
        page.wait_for_function("document.documentElement.getAttribute('data-live-ready') === '1'")
        page.wait_for_timeout(300)  # the EventSource connects
        page.evaluate("window.__notReloaded = true")
        heading = page.locator("#client-complaints h2").inner_text()
        before = int(heading.split("(")[1].rstrip(")"))
        message = {**complaint("fb-cafe-live", "Forks missing from the boxes"), "client": "corner-cafe"}
        assert served.api("POST", "/api/feedback", "feeder", message)[0] == 202
        page.wait_for_function("n => document.querySelector('#client-complaints h2').textContent.trim() === "
                               "\"Your clients' open complaints (\" + n + ')'", arg=before + 1, timeout=5000)
        assert page.get_by_text("Forks missing from the boxes").count() == 1
        assert page.evaluate("window.__notReloaded") is True  # updated in place
    finally:
        context.close()


def test_a_refused_complaint_says_why_next_to_the_form(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "rosa")
    try:  # a forged choice: a client she does not represent
        page.evaluate("document.getElementById('log-client').add(new Option('households', 'households'))")
        form = page.locator("#log-complaint")
        form.get_by_label("Client").select_option("households")
        form.get_by_label("What went wrong").fill("Not my client")
        form.get_by_role("button", name="Log complaint").click()
        page.wait_for_load_state()
        error = page.locator("#log-complaint [role=alert]")
        assert "RecordFeedback" in error.inner_text()  # the permission table's rule, as through the API
        assert "only for the clients they represent" in error.inner_text()
        assert page.locator("#log-text").input_value() == "Not my client"  # what she typed stays
        assert page.get_by_text("Not my client", exact=True).count() == 1  # in the form only, not recorded
    finally:
        context.close()


def test_pages_show_peoples_names_not_keys(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "cora")
    try:
        page.goto(served.url("/teams/delivery"))
        member = _section(page, "Members").get_by_role("link", name="Lena Lead")
        assert member.get_attribute("title") == "lena"  # the key stays at hand
        page.goto(served.url("/promises/p-cafe-lunch"))
        history = page.locator("table", has=page.locator("th", has_text="what changed")).inner_text()
        assert "Lena Lead" in history and "Rosa Representative" in history and "rosa" not in history
        page.goto(served.url("/audit?promise=p-cafe-lunch"))
        events = _section(page, "Events").inner_text()
        assert "Rosa Representative" in events and "\trosa\t" not in events
        page.goto(served.url("/retro?team=delivery&from=2026-01-01&to=2026-03-31"))
        changes = page.locator("table", has=page.locator("th", has_text="actor")).first.inner_text()
        assert "Max Member" in changes and "Rosa Representative" in changes  # the retrospective's report too
        status, view = served.api("GET", "/api/promises/p-cafe-lunch", "cora")  # the JSON keeps keys (contract)
        assert status == 200 and {h["actor"] for h in view["history"]} == {"lena", "rosa"}
    finally:
        context.close()


def test_the_api_keeps_a_representatives_feedback_to_her_clients_and_their_promises(served: Served) -> None:
    """The same rule as the form's, through the API: rosa speaks for corner-cafe only, and a promise her feedback
    names must be one made to that client (not an internal promise between teams, not an unknown key)."""
    def feedback(n: str, client: str = "corner-cafe", **more: str) -> dict[str, str]:
        return {"type": "RecordFeedback", "feedback_id": f"api-rosa-{n}", "client": client, "kind": "complaint",
                "channel": "app", "text": "Late again", "occurred_at": ago(hours=1), **more}

    status, answer = served.api("POST", "/api/commands", "rosa", feedback("other", client="households"))
    assert status == 403 and answer["rule"].startswith("RecordFeedback: ")
    for promise in ("p-kitchen-ready", "nonexistent"):
        status, answer = served.api("POST", "/api/commands", "rosa", feedback(promise, promise=promise))
        assert status == 422 and f"{promise} is not a promise made to client corner-cafe" in answer["error"]
        status, answer = served.api("POST", "/api/feedback", "rosa",
                                    {k: v for k, v in feedback(promise, promise=promise).items() if k != "type"})
        assert status == 422 and f"{promise} is not a promise made to client corner-cafe" in answer["error"]
    status, answer = served.api("POST", "/api/feedback", "rosa", {
        k: v for k, v in feedback("posted", client="households").items() if k != "type"})
    assert status == 403 and answer["rule"].startswith("RecordFeedback: ")
    assert served.api("POST", "/api/commands", "rosa", feedback("own", promise="p-cafe-lunch"))[0] == 200
    assert served.api("POST", "/api/commands", "kim", feedback("kim", client="households"))[0] == 200


def test_an_external_client_sees_the_people_she_may_see_by_name_and_no_one_else(browser: Any, served: Served) -> None:
    """One rule for people's names (docs/brief.md §10, ``may_see_person``): rosa, an external client, sees the teams'
    names but not their people's, on pages as in ``GET /api/people``."""
    status, people = served.api("GET", "/api/people", "rosa")
    assert status == 200 and [p["key"] for p in people["items"]] == ["rosa"]
    context, page = sign_in(browser, served, "rosa")
    try:
        for path in ("/promises/p-cafe-lunch", "/audit?promise=p-cafe-lunch"):
            page.goto(served.url(path))
            shown = page.locator("main").inner_text()
            assert "Rosa Representative" in shown and "someone in the company" in shown, path
            assert "Lena Lead" not in shown, path
    finally:
        context.close()
    status, people = served.api("GET", "/api/people", "olga")  # inside the company, names are open
    assert status == 200 and "lena" in [p["key"] for p in people["items"]]
