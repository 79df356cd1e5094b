"""In a real browser against a real `clientocracy serve` (SQLite, then PostgreSQL): two people negotiate a
promise by clicks, an outsider sees no actions and a forged post is refused, the as-of picker shows the
past, and the pages render to non-blank screenshots."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import Served, sign_in

pytestmark = pytest.mark.processes  # a server and a browser

ACTION_BUTTONS = ("Counter-propose", "Agree", "Propose amendment", "Accept amendment", "Decline amendment", "Retire")


def _buttons(page: Any) -> dict[str, int]:
    return {name: page.get_by_role("button", name=name, exact=True).count() for name in ACTION_BUTTONS}


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_two_people_negotiate_a_promise_end_to_end(browser: Any, served: Served, tmp_path: Path) -> None:
    """docs/brief.md §10: max (a courier) proposes for delivery, but delivery consents through its lead, lena;
    kim (kitchen's lead) consents for kitchen."""
    max_context, max_page = sign_in(browser, served, "max")  # a plain member of the promisor team
    kim_context, kim_page = sign_in(browser, served, "kim")  # the promisee team's (kitchen's) lead
    lena_context, lena_page = sign_in(browser, served, "lena")  # the promisor team's lead
    try:
        max_page.goto(served.url("/teams/delivery"))
        max_page.get_by_text("Propose a promise", exact=True).click()  # opens the form
        propose = max_page.locator("#propose")  # the team page has other forms naming a metric and a target
        propose.get_by_label("Promise key").fill("p-web")
        propose.get_by_label("Promisee (a client or a team)").fill("kitchen")
        propose.get_by_label("Statement").fill("Hot boxes reach the kitchen by 11:00")
        propose.get_by_label("Metric").fill("ready-pct")
        propose.get_by_label("Target", exact=True).fill("95")
        propose.get_by_role("button", name="Propose promise").click()
        max_page.wait_for_url(served.url("/promises/p-web"))
        assert "proposed" in max_page.locator(".status").first.inner_text()
        assert _buttons(max_page)["Agree"] == 0  # a courier does not consent for his team

        kim_page.goto(served.url("/promises/p-web"))
        assert _buttons(kim_page)["Agree"] == 1 and _buttons(kim_page)["Counter-propose"] == 1
        kim_page.get_by_label("Target", exact=True).fill("92")
        kim_page.get_by_label("Why", exact=True).fill("Lunch peak makes 95 unrealistic")
        kim_page.get_by_role("button", name="Counter-propose", exact=True).click()
        kim_page.wait_for_load_state()
        assert _buttons(kim_page)["Agree"] == 0  # her counter-proposal is kitchen's consent
        assert kim_page.locator("#awaiting-consent").inner_text() == "delivery"

        max_page.reload()
        assert _buttons(max_page)["Agree"] == 0 and _buttons(max_page)["Counter-propose"] == 1
        lena_page.goto(served.url("/"))  # the terms await her side's consent: her start page says so
        assert "p-web" in lena_page.locator("section", has_text="Awaiting your answer").inner_text()
        lena_page.goto(served.url("/promises/p-web"))
        lena_page.get_by_role("button", name="Agree", exact=True).click()
        lena_page.wait_for_load_state()
        assert lena_page.locator(".status").first.inner_text() == "agreed"
        assert "version 3" in lena_page.locator("section.card").first.inner_text()
        history = lena_page.locator("table", has=lena_page.locator("th", has_text="what changed")).inner_text()
        assert "CounterProposed" in history and "Agreed" in history
        assert "Max Member" in history and "Kim Kitchen" in history and "Lena Lead" in history  # names, not keys
        assert "Lunch peak makes 95 unrealistic" in history and "92" in history

        status, api_view = served.api("GET", "/api/promises/p-web", "cora")
        assert status == 200 and api_view["status"] == "agreed" and api_view["version"] == 3
        assert api_view["target"] == 92
        assert [(h["event"], h["actor"]) for h in api_view["history"]] == [
            ("Proposed", "max"), ("CounterProposed", "kim"), ("Agreed", "lena")]
        status, audit = served.api("GET", "/api/audit?promise=p-web", "cora")
        assert status == 200 and {e["channel"] for e in audit["events"]} == {"web"}

        # an amendment: proposed by one side, declined, proposed again and accepted by the other side's lead
        kim_page.reload()
        assert _buttons(kim_page)["Propose amendment"] == 1 and _buttons(kim_page)["Accept amendment"] == 0
        for target, why in (("94", "Maybe earlier"), ("93", "The new ovens are in")):
            kim_page.get_by_label("New target").fill(target)
            kim_page.locator("#amend-reason").fill(why)
            kim_page.get_by_role("button", name="Propose amendment", exact=True).click()
            kim_page.wait_for_load_state()
            assert _buttons(kim_page)["Accept amendment"] == 0  # the other side must accept
            assert _buttons(kim_page)["Decline amendment"] == 1  # she may withdraw her own
            max_page.reload()
            assert _buttons(max_page)["Accept amendment"] == 0 and _buttons(max_page)["Decline amendment"] == 0
            lena_page.reload()
            assert _buttons(lena_page)["Decline amendment"] == 1
            assert "(proposed by Kim Kitchen)" in lena_page.locator("dl.terms").inner_text()  # a name, not a key
            if target == "94":
                lena_page.locator("#decline-reason").fill("Not before the ovens")
                lena_page.get_by_role("button", name="Decline amendment", exact=True).click()
                lena_page.wait_for_load_state()
                kim_page.reload()
        lena_page.get_by_role("button", name="Accept amendment", exact=True).click()
        lena_page.wait_for_load_state()
        amended = served.api("GET", "/api/promises/p-web", "cora")[1]
        assert amended["status"] == "agreed" and amended["target"] == 93 and amended["version"] == 7
        assert [h["event"] for h in amended["history"]][3:] == [
            "AmendmentProposed", "AmendmentDeclined", "AmendmentProposed", "Amended"]

        # max's amendment waits for his own lead too: kitchen consents first, and lena's start page still asks her
        max_page.reload()
        max_page.get_by_label("New target").fill("91")
        max_page.locator("#amend-reason").fill("Earlier vans")
        max_page.get_by_role("button", name="Propose amendment", exact=True).click()
        max_page.wait_for_load_state()
        assert _buttons(max_page)["Accept amendment"] == 0 and _buttons(max_page)["Decline amendment"] == 1
        kim_page.reload()
        kim_page.get_by_role("button", name="Accept amendment", exact=True).click()
        kim_page.wait_for_load_state()
        assert kim_page.locator("#awaiting-consent").inner_text() == "delivery"
        lena_page.goto(served.url("/"))
        assert "p-web" in lena_page.locator("section", has_text="Awaiting your answer").inner_text()
        kim_page.goto(served.url("/"))
        assert "p-web" not in kim_page.locator("section", has_text="Awaiting your answer").inner_text()
        lena_page.goto(served.url("/promises/p-web"))
        lena_page.get_by_role("button", name="Accept amendment", exact=True).click()
        lena_page.wait_for_load_state()
        amended = served.api("GET", "/api/promises/p-web", "cora")[1]
        assert (amended["target"], amended["awaiting_consent"]) == (91, [])
        assert [h["event"] for h in amended["history"]][-3:] == ["AmendmentProposed", "Consented", "Amended"]

        shots = {"promise": tmp_path / "promise-page.png", "team": tmp_path / "team-page.png"}
        max_page.screenshot(path=str(shots["promise"]), full_page=True)
        max_page.goto(served.url("/teams/delivery"))
        max_page.screenshot(path=str(shots["team"]), full_page=True)
        for path in shots.values():
            width, height = _png_size(path)
            assert width >= 1000 and height >= 900
            assert path.stat().st_size > 30_000  # text, tables and charts: far more than a blank page
    finally:
        max_context.close()
        kim_context.close()
        lena_context.close()


def test_an_outsider_sees_no_actions_and_a_forged_post_is_refused(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "olga")  # bakery: no side of p-kitchen-ready
    try:
        page.goto(served.url("/promises/p-kitchen-ready"))
        assert page.locator("h1").inner_text().startswith("Promise p-kitchen-ready")
        assert _buttons(page) == dict.fromkeys(ACTION_BUTTONS, 0)
        assert page.locator("form.action").count() == 0
        csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
        before = served.api("GET", "/api/promises/p-kitchen-ready", "cora")[1]["version"]
        forged = context.request.post(served.url("/promises/p-kitchen-ready/retire"),
                                      form={"csrf_token": csrf, "reason": "not mine to retire"})
        assert forged.status == 403
        assert "RetirePromise" in forged.text() and "Traceback" not in forged.text()
        no_csrf = context.request.post(served.url("/promises/p-kitchen-ready/retire"), form={"reason": "x"})
        assert no_csrf.status == 403 and "csrf_token" in no_csrf.text()
        assert served.api("GET", "/api/promises/p-kitchen-ready", "cora")[1]["version"] == before
    finally:
        context.close()


def test_a_post_without_the_csrf_token_is_refused_even_for_an_allowed_person(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")  # lead of the promisor team: may retire
    try:
        page.goto(served.url("/promises/p-kitchen-ready"))
        assert _buttons(page)["Retire"] == 1
        refused = context.request.post(served.url("/promises/p-kitchen-ready/retire"),
                                       form={"reason": "forged from another site", "csrf_token": "guess"})
        assert refused.status == 403
        assert served.api("GET", "/api/promises/p-kitchen-ready", "cora")[1]["status"] == "agreed"
    finally:
        context.close()


def test_the_as_of_picker_shows_the_team_as_it_was(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url("/teams/delivery"))
        members = page.locator("section.card", has=page.locator("h2", has_text="Members"))
        assert "Ivan Later" in members.inner_text()  # people by name
        row = page.locator("tr", has=page.locator("a", has_text="p-kitchen-ready"))
        assert "agreed" in row.inner_text()

        page.get_by_label("As of").fill("2026-01-15")  # picking a date shows it (no button to press)
        page.wait_for_url("**as_of=2026-01-15")
        members = page.locator("section.card", has=page.locator("h2", has_text="Members"))
        assert "Lena Lead" in members.inner_text() and "Max Member" in members.inner_text()
        assert "Ivan Later" not in members.inner_text()
        row = page.locator("tr", has=page.locator("a", has_text="p-kitchen-ready"))
        assert "proposed" in row.inner_text()
        assert page.get_by_label("As of").input_value() == "2026-01-15"
        page.locator("a", has_text="p-kitchen-ready").first.click()  # links keep the date
        page.wait_for_url("**/promises/p-kitchen-ready?as_of=2026-01-15")
        assert page.locator(".status").first.inner_text() == "proposed"
        assert _buttons(page) == dict.fromkeys(ACTION_BUTTONS, 0)  # looking back is read only
    finally:
        context.close()
