"""docs/brief.md §8 "Clients (steps 1-4)" in a real browser against a real `clientocracy serve` (SQLite, then
PostgreSQL): a team lead identifies a client, records its pains, draws and scores a strategy canvas and chooses the
unique factor through the client page's forms; the page lists the pains most severe first and every factor and
offering; a refused form shows its reason next to it; the page passes axe-core at a laptop's and a phone's width."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, sign_in
from tests.support.clock import ago

pytestmark = pytest.mark.processes  # a server and a browser


def page_alert(html: str) -> str:
    """The refusal a re-rendered page shows above its parts (for a form the person was not offered)."""
    found = re.search(r'<p class="error" role="alert" id="error-refused">(.*?)</p>', html, re.S)
    assert found is not None, html[:2000]
    return found.group(1)


def _open(page: Any, summary: str) -> None:
    page.locator("summary", has_text=summary).first.click()


def _record_pain(page: Any, pain: str, description: str, severity: str) -> None:
    _open(page, "Record pain")
    page.get_by_label("Pain key").fill(pain)
    page.get_by_label("Description").fill(description)
    page.get_by_label("Severity (1 to 5)").select_option(severity)
    page.get_by_role("button", name="Record pain").click()
    page.wait_for_load_state()


def test_a_lead_works_steps_1_to_4_on_the_client_page(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url("/clients"))
        page.get_by_label("Client key").fill("cafe-web")
        page.get_by_label("Name").fill("Corner Café")
        page.get_by_label("Kind").select_option("external")
        page.get_by_role("button", name="Identify client").click()
        page.wait_for_url(served.url("/clients/cafe-web"))
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Client cafe-web"  # the name is for the teams concerned: none yet

        for pain, description, severity in (("cold-coffee", "The coffee is cold", "2"),
                                            ("no-seats", "No seats at noon", "5"),
                                            ("slow-till", "The till is slow", "3")):
            _record_pain(page, pain, description, severity)
        shown = page.locator("ol.pains > li strong").all_inner_texts()
        assert shown == ["no-seats", "slow-till", "cold-coffee"]  # most severe first

        _record_pain(page, "no-seats", "Again", "4")  # the same key again: refused next to the form
        alert = page.locator("#pain .error")
        assert "no-seats" in alert.inner_text() and page.locator("#pain details[open]").count() == 1

        _open(page, "Propose value")
        page.get_by_label("Proposition key").fill("vp-cafe")
        page.get_by_label("Statement").fill("A seat and hot coffee at noon")
        page.get_by_label("Valuable characteristics (one per line)").fill("seat guaranteed\nhot coffee")
        page.get_by_label("no-seats").check()
        page.get_by_role("button", name="Propose value").click()
        page.wait_for_load_state()
        proposition = page.locator("article.proposition").inner_text()
        assert "seat guaranteed, hot coffee" in proposition and "Relieves: no-seats" in proposition

        _open(page, "Draw canvas")
        page.get_by_label("Canvas key").fill("cv-cafe")
        page.get_by_label("Competition factors (one per line)").fill("price\nseats\nspeed")
        page.get_by_role("button", name="Draw canvas").click()
        page.wait_for_load_state()
        assert heading.inner_text() == "Client Corner Café (cafe-web)"  # delivery's canvas: now it is concerned
        for offering, ours, scores in (("our-cafe", True, ("5", "9", "7")), ("chain-cafe", False, ("8", "3", "6"))):
            _open(page, "Score offering on cv-cafe")
            page.get_by_label("Offering", exact=True).fill(offering)
            if ours:
                page.get_by_label("This is our offering").check()
            for factor, score in zip(("price", "seats", "speed"), scores, strict=True):
                page.get_by_label(factor, exact=True).fill(score)
            page.get_by_role("button", name="Score offering").click()
            page.wait_for_load_state()
        _open(page, "Choose unique factor of cv-cafe")
        page.get_by_label("Factor to win on").select_option("seats")
        page.get_by_role("button", name="Choose unique factor").click()
        page.wait_for_load_state()

        table = page.get_by_role("region", name="Scores of canvas cv-cafe")
        headers = table.locator("thead th").all_inner_texts()
        assert [h.split(" ")[0] for h in headers] == ["offering", "price", "seats", "speed"]
        assert "★" in headers[2] and "unique factor" in headers[2]
        rows = [r.split("\t") for r in table.locator("tbody tr").all_inner_texts()]
        assert [[cell.strip() for cell in row] for row in rows] == [["our-cafe (ours)", "5", "9", "7"],
                                                                    ["chain-cafe", "8", "3", "6"]]
        status, api = served.api("GET", "/api/clients/cafe-web", "cora")
        assert status == 200 and api["canvases"][0]["unique_factor"] == "seats"

        _open(page, "Score offering on cv-cafe")  # a score past 10: 422 naming the field, next to the form
        page.get_by_label("Offering", exact=True).fill("bad")
        page.get_by_label("price", exact=True).evaluate("e => { e.removeAttribute('max'); e.value = '11'; }")
        page.get_by_role("button", name="Score offering").click()
        page.wait_for_load_state()
        assert "scores" in page.locator("#error-score-cv-cafe").inner_text()

        page.goto(served.url("/clients/cafe-web?as_of=2026-01-01"))  # before it was identified
        assert "There is no client" in page.content()
    finally:
        context.close()


def test_the_client_pages_have_no_serious_accessibility_violation_nor_sideways_scroll(browser: Any,
                                                                                    served: Served) -> None:
    for command in ({"type": "RecordPain", "client": "households", "pain": "a11y", "description": "Late",
                     "severity": 4},
                    {"type": "DrawStrategyCanvas", "canvas": "cv-a11y", "client": "households", "team": "delivery",
                     "factors": ["price", "window-accuracy", "courier-courtesy", "freshness"]},
                    {"type": "ScoreOffering", "canvas": "cv-a11y", "offering": "ours", "ours": True,
                     "scores": {"price": 5, "window-accuracy": 9, "courier-courtesy": 8, "freshness": 7}},
                    {"type": "ChooseUniqueFactor", "canvas": "cv-a11y", "factor": "window-accuracy"}):
        assert served.api("POST", "/api/commands", "lena", command)[0] == 200
    for person, key in (("lena", "households"), ("kim", "households"), ("rosa", "corner-cafe"), ("lena", "")):
        path = f"/clients/{key}" if key else "/clients"
        context, page = sign_in(browser, served, person)
        try:
            assert_accessible_at(page, served.url(path), f"{path} as {person}")  # and no sideways scroll at 390
            if person == "rosa":  # an external client's representative: no internal canvases, no other clients
                assert page.locator("#canvas").count() == 0 and page.locator("#value").count() == 0
                assert page.locator("summary", has_text="Record pain").count() == 0  # not a team member
                csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
                forged = context.request.post(served.url("/clients/corner-cafe/pain"), form={
                    "csrf_token": csrf, "pain": "forged", "description": "Not hers to record"})
                assert forged.status == 403 and "Traceback" not in forged.text()
                assert "RecordPain" in page_alert(forged.text())
                assert page.goto(served.url("/clients/households")).status == 404  # type: ignore[union-attr]
        finally:
            context.close()


def test_the_team_of_a_proposition_or_canvas_is_one_of_the_persons_own(browser: Any, served: Served) -> None:
    """olga (bakery) is offered only her own team; a forged post naming kitchen is refused naming the rule."""
    context, page = sign_in(browser, served, "olga")
    try:
        page.goto(served.url("/clients/households"))
        for form in ("value", "canvas"):
            options = page.locator(f"#{form}-team option").all_text_contents()
            assert options == ["bakery", "(no team)"], (form, options)
        csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
        forged = context.request.post(served.url("/clients/households/canvas"), form={
            "csrf_token": csrf, "canvas": "cv-forged", "team": "kitchen", "factors": "price"})
        assert forged.status == 403 and "DrawStrategyCanvas" in forged.text()
        assert "only a member of the named team" in forged.text()
        own = context.request.post(served.url("/clients/households/value"), form={
            "csrf_token": csrf, "proposition": "vp-olga", "team": "bakery", "statement": "Fresh bread",
            "characteristics": "warm"}, max_redirects=0)
        assert own.status == 303, own.text()
    finally:
        context.close()


def test_an_unconcerned_team_reads_neither_a_complaints_text_nor_its_resolution(browser: Any, served: Served) -> None:
    secret = "Refunded Mrs Example in cash at her home address"
    complaint = {"type": "RecordFeedback", "feedback_id": "fb-cafe-private", "client": "corner-cafe",
                 "kind": "complaint", "channel": "phone", "text": "Cold boxes again", "team": "delivery",
                 "occurred_at": ago(hours=2)}
    assert served.api("POST", "/api/commands", "lena", complaint)[0] == 200
    assert served.api("POST", "/api/commands", "lena", {"type": "ResolveFeedback", "feedback_id": "fb-cafe-private",
                                                        "resolution": secret})[0] == 200
    status, answer = served.api("GET", "/api/clients/corner-cafe", "olga")  # bakery: not concerned with the cafe
    assert status == 200 and secret not in str(answer) and "resolved_complaints.resolution" in answer["redacted"]
    assert secret in str(served.api("GET", "/api/clients/corner-cafe", "lena")[1])  # delivery: concerned
    context, page = sign_in(browser, served, "olga")
    try:
        page.goto(served.url("/clients/corner-cafe"))
        assert "Cold boxes again" not in page.content() and secret not in page.content()
        assert "Resolved" in page.locator("#complaints + section").inner_text()
    finally:
        context.close()
