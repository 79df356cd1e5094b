"""docs/brief.md §8 "The council" in a real browser against a real `clientocracy serve` (SQLite, then PostgreSQL):
a council member forms a team, registers a person and adds them, posts the month's ledger entries, issues the
person a token they sign in with in a fresh browser, and revokes it (their next page load is signed out); the
company page's kept-of-13 and net profit match the API's (`team show --json`'s) answers; a member sees the page
without forms and is refused a form's post (403 naming the rule); an external client is refused the page; the
company and people pages pass axe-core at a laptop's and a phone's width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, sign_in

pytestmark = pytest.mark.processes  # a server and a browser


def _submit(page: Any, summary: str, fields: dict[str, str], button: str, check: str | None = None) -> None:
    form = page.locator("details.propose", has=page.locator("summary", has_text=summary))
    form.locator("summary").click()
    if check is not None:
        form.get_by_label(check).check()
    for label, value in fields.items():
        control = form.get_by_label(label, exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def _row(page: Any, team: str) -> Any:
    return page.locator(f"#teams tr[data-team='{team}']")


def test_the_council_forms_a_team_and_hands_out_a_token(browser: Any, served: Served) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    context, page = sign_in(browser, served, "cora")
    newcomer = None
    try:
        page.goto(served.url("/"))
        page.get_by_role("link", name="Company").click()
        page.wait_for_url(served.url("/company"))
        assert page.locator("#signals h2").inner_text().startswith("Signals (")
        _submit(page, "Form team", {"Team key": "council-pantry", "Team name": "Pantry"}, "Form team")
        assert _row(page, "council-pantry").count() == 1
        _submit(page, "Form team", {"Team key": "council-pantry", "Team name": "Again"}, "Form team")
        assert "council-pantry" in page.locator("#error-team").inner_text()  # refused next to its form

        _submit(page, "Register person", {"Person key": "nina", "Full name": "Nina Newcomer"}, "Register person")
        _submit(page, "Add member", {"Team": "council-pantry", "Person": "nina", "Role": "buyer"}, "Add member",
                check="Team lead")
        for kind, amount in (("revenue", "5000"), ("cost", "1200")):
            _submit(page, "Ledger entry", {"Team": "council-pantry", "Month (YYYY-MM)": month, "Kind": kind,
                                           "Amount": amount}, "Post ledger entry")
        status, team = served.api("GET", "/api/teams/council-pantry", "cora")
        assert status == 200 and [m["person"] for m in team["members"]] == ["nina"] and team["members"][0]["lead"]
        (row,) = [r for r in team["economics"] if r["period"] == month]
        assert row["net_profit"] == 3800 and row["bonus_pool"] == pytest.approx(760)
        assert _row(page, "council-pantry").locator(".net-profit").inner_text() == "3,800"
        assert _row(page, "council-pantry").locator(".bonus-pool").inner_text() == "760"

        page.get_by_role("link", name="People").click()
        page.get_by_label("Person (key)").fill("nina")
        page.get_by_label("Scope").select_option("write")  # the council never holds a side's write token
        page.get_by_role("button", name="Issue token").click()
        assert "IssueToken" in page.locator("#issue .error").inner_text() and page.locator("#issued").count() == 0
        page.get_by_label("Person (key)").fill("nina")
        page.get_by_label("Scope").select_option("read")
        page.get_by_role("button", name="Issue token").click()
        page.wait_for_load_state()
        assert "shown only once" in page.locator("#issued").inner_text()
        token = page.get_by_label("Token (read").input_value()
        token_id = token.split("_")[1]

        newcomer = browser.new_context(viewport={"width": 1100, "height": 900})
        theirs = newcomer.new_page()
        theirs.goto(served.url("/login"))
        theirs.get_by_label("Token").fill(token)
        theirs.get_by_role("button", name="Sign in").click()
        theirs.wait_for_url(served.url("/"))
        assert "Nina Newcomer" in theirs.locator("header").inner_text()
        assert theirs.locator(f"#tokens tr[data-token='{token_id}']").count() == 1  # their own, on their start page

        page.goto(served.url("/people"))
        page.get_by_role("button", name=f"Revoke token {token_id}").click()
        page.wait_for_url(served.url("/people"))
        assert page.locator(f"tr[data-token='{token_id}'] .status").inner_text() == "revoked"
        theirs.reload()
        assert theirs.url.startswith(served.url("/login"))  # signed out at the next page load

        assert_accessible_at(page, served.url("/company"), "the company page")
        assert_accessible_at(page, served.url("/people"), "the people page")
    finally:
        if newcomer is not None:
            newcomer.close()
        context.close()


def _window_start(start: datetime, period: str) -> datetime:
    if period == "day":
        return start - timedelta(days=13)
    if period == "week":
        return start - timedelta(weeks=13)
    months = start.year * 12 + start.month - 1 - 13
    return start.replace(year=months // 12, month=months % 12 + 1)


def _current_start(now: datetime, period: str) -> datetime:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if period == "month" else day


def test_kept_of_13_matches_promise_show_for_each_promise(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "cora")
    try:
        when = "2026-03-10T12:00:00Z"  # the sample's readings are in February: as of March, they are recent
        page.goto(served.url(f"/company?as_of={when}"))
        now = datetime.fromisoformat(when)
        status, team = served.api("GET", f"/api/teams/delivery?as_of={when}", "cora")
        assert status == 200
        agreed = [p["promise"] for p in team["promises"] if p["status"] == "agreed"]
        assert agreed
        compared = 0
        for key in agreed:
            status, promise = served.api("GET", f"/api/promises/{key}?as_of={when}", "cora")
            period = promise.get("period") or "week"
            current = _current_start(now, period)
            window = [r for r in promise["compliance"] if r["kept"] is not None
                      and _window_start(current, period) <= datetime.fromisoformat(r["period_start"]).replace(
                          tzinfo=None) < current]
            shown = _row(page, "delivery").locator(f"li[data-promise='{key}'] .kept").inner_text()
            expected = (f"kept {sum(r['kept'] for r in window)} of the last {len(window)}" if window
                        else "no completed period yet")
            assert shown == expected, key
            attainment = promise["health"]["attainment"]  # the page and promise show's health agree
            assert (attainment["kept"], attainment["periods"]) == (sum(r["kept"] for r in window), len(window))
            compared += len(window)
        assert compared > 0  # some period was compared, not only empty windows
    finally:
        context.close()


def test_only_the_council_uses_the_forms_and_sees_every_token(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url("/company"))
        assert _row(page, "delivery").count() == 1 and page.locator("#council-forms").count() == 0
        assert page.get_by_role("link", name="People").count() == 0
        csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
        answer = context.request.post(served.url("/company/team"), form={
            "csrf_token": csrf, "team": "lena-own-team", "name": "Mine"})
        assert answer.status == 403 and "FormTeam" in answer.text()  # the refusal, though the forms are not hers
        assert served.api("GET", "/api/teams/lena-own-team", "cora")[0] == 404
        assert page.goto(served.url("/people")).status == 403
        held = served.api("GET", "/api/tokens", "lena")[1]["total"]
        answer = context.request.post(served.url("/people/tokens"), form={
            "csrf_token": csrf, "person": "", "scope": "read"})  # the page that would show it once is not hers
        assert answer.status == 403 and served.api("GET", "/api/tokens", "lena")[1]["total"] == held
        page.goto(served.url("/"))
        assert page.locator("#tokens tbody tr").count() >= 1  # her own tokens, each with "Revoke"
    finally:
        context.close()
    context, page = sign_in(browser, served, "rosa")  # an external client's representative
    try:
        answer = page.goto(served.url("/company"))
        assert answer.status == 403 and "read:internal" in page.locator("main").inner_text()
    finally:
        context.close()
