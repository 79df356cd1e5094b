"""docs/brief.md §8 "Daily forms" on the team page, in a real browser on SQLite and PostgreSQL: "Record reading"
(no time given: now), "Log complaint", "Record error review", "Record process change" and "Define metric", each
shown only to people the permission table allows; a refusal shows beside its form (403 naming the rule, 422
naming the field) with what was typed kept. The test company runs on a server of this module's own: a reading
recorded now moves the periods the other browser tests read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.stores import STORES
from tests.support.web_company import LINES, TOKENS

pytestmark = pytest.mark.processes  # a server, a browser

TEAM = "/teams/delivery"


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"team-forms-{request.param}"), LINES, TOKENS) as server:
        yield server


def _this_monday() -> str:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=today.weekday())).isoformat()


def _compliance(served: Served, promise: str) -> list[dict[str, Any]]:
    status, view = served.api("GET", f"/api/promises/{promise}", "cora")
    assert status == 200, view
    return view["compliance"]  # type: ignore[no-any-return]


def test_a_lead_records_a_reading_at_now_and_the_chart_moves(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url(TEAM))
        chart = page.locator("#promises svg").first
        before = chart.inner_html()
        form = page.locator("#record-reading")
        form.locator("summary").click()
        form.get_by_label("Reading of").select_option("ready-pct")
        form.get_by_label("Value").fill("97.5")
        form.get_by_role("button", name="Record reading").click()
        page.wait_for_url(served.url(f"{TEAM}#promises"))
        assert page.locator("#promises svg").first.inner_html() != before  # the compliance chart moved
        current = [row for row in _compliance(served, "p-kitchen-ready") if row["period_start"][:10] == _this_monday()]
        assert len(current) == 1 and current[0]["value"] is not None  # recorded now: this week holds a reading
        status, audit = served.api("GET", "/api/audit?actor=lena", "cora")
        recorded = [e for e in audit["events"] if e["aggregate"] == "Reading" and e["channel"] == "web"]
        assert status == 200 and recorded
        at = datetime.fromisoformat(recorded[-1]["at"].replace("Z", "+00:00"))
        assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)
    finally:
        context.close()


def test_who_may_not_record_sees_no_form_and_a_forced_post_names_the_rule(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "olga")  # the bakery's lead: no promise on ready-pct
    try:
        page.goto(served.url(TEAM))
        assert page.locator("#record-reading").count() == 0
        assert page.locator("#record-error-review").count() == 0 and page.locator("#record-process-change").count() == 0
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        with page.expect_response(served.url(f"{TEAM}/readings")) as answer:
            page.evaluate("""([token]) => { const f = document.createElement('form'); f.method = 'post';
            f.action = '/teams/delivery/readings';
            for (const [k, v] of [['csrf_token', token], ['metric', 'ready-pct'], ['value', '12']]) {
              const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
            document.body.append(f); f.submit(); }""", [token])
        assert answer.value.status == 403
        error = page.locator("#record-reading [role=alert]")
        assert "RecordReading: members of the metric's owner team" in error.inner_text()
        assert page.locator("#record-reading").get_attribute("open") is not None
    finally:
        context.close()


def test_text_in_the_value_shows_the_field_error_and_keeps_it(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "max")
    try:
        page.goto(served.url(TEAM))
        form = page.locator("#record-reading")
        form.locator("summary").click()
        form.get_by_label("Value").fill("ninety")
        with page.expect_response(served.url(f"{TEAM}/readings")) as answer:
            form.get_by_role("button", name="Record reading").click()
        assert answer.value.status == 422
        error = page.locator("#record-reading [role=alert]").inner_text()
        assert "value: Input should be a valid number" in error, error
        assert page.locator("#reading-value").input_value() == "ninety"
    finally:
        context.close()


def test_define_metric_error_review_and_process_change_are_recorded_and_shown(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "max")
    tag = served.store[:6].replace(":", "")
    try:
        page.goto(served.url(TEAM))
        form = page.locator("#daily-metric")
        form.locator("summary").click()
        form.get_by_label("Key", exact=True).fill(f"late-{tag}")
        form.get_by_label("Name").fill("Late pick-ups")
        form.get_by_label("Unit").fill("count")
        form.get_by_label("Direction").select_option("lower_is_better")
        form.get_by_label("Owner team (records its readings)").select_option("delivery")
        form.get_by_role("button", name="Define metric").click()
        page.wait_for_url(served.url(f"{TEAM}#daily-metric"))
        assert page.locator("#reading-metric option", has_text="Late pick-ups").count() == 1  # he may record it now

        review = page.locator("#records details", has=page.locator("#record-error-review"))
        review.locator("summary").click()
        review.get_by_label("What happened").fill(f"Boxes left behind {tag}")
        review.get_by_label("Cause").fill("No checklist at the door")
        review.get_by_label("Lesson").fill("Check boxes before leaving")
        review.get_by_label("Promise it concerns (optional)").select_option("p-kitchen-ready")
        review.get_by_role("button", name="Record error review").click()
        page.wait_for_url(served.url(f"{TEAM}#records"))
        assert f"Boxes left behind {tag}" in page.locator("#records").inner_text()

        change = page.locator("#records details", has=page.locator("#record-process-change"))
        change.locator("summary").click()
        change.get_by_label("What changes").fill(f"A door checklist {tag}")
        change.get_by_label("Experiment it comes from (optional)").select_option("exp-hot-boxes")
        reviewed = change.locator("#change-review option", has_text=f"Boxes left behind {tag}").get_attribute("value")
        change.get_by_label("Error review it follows (optional)").select_option(reviewed)
        change.get_by_role("button", name="Record process change").click()
        page.wait_for_url(served.url(f"{TEAM}#records"))
        listed = page.locator("#records li", has_text=f"A door checklist {tag}").inner_text()
        assert "exp-hot-boxes" in listed and "after review-" in listed
    finally:
        context.close()


def test_a_member_may_own_a_metric_only_for_their_team(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "max")
    try:
        page.goto(served.url(TEAM))
        page.evaluate("document.getElementById('metric-owner').add(new Option('kitchen', 'kitchen'))")
        form = page.locator("#daily-metric")
        form.locator("summary").click()
        form.get_by_label("Key", exact=True).fill("not-mine")
        form.get_by_label("Name").fill("Not mine")
        form.get_by_label("Unit").fill("count")
        form.get_by_label("Owner team (records its readings)").select_option("kitchen")
        form.get_by_role("button", name="Define metric").click()
        page.wait_for_load_state()
        error = page.locator("#daily-metric [role=alert]").inner_text()
        assert "DefineMetric: any team member (as owner, only their own team), council" in error
        assert page.locator("#metric-key").input_value() == "not-mine"
    finally:
        context.close()


def test_a_member_logs_a_complaint_on_the_team_page(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "max")
    text = f"Boxes arrived open ({served.store[:8]})"
    try:
        page.goto(served.url(TEAM))
        form = page.locator("#team-log-complaint")
        form.get_by_label("Client").fill("households")
        form.get_by_label("What went wrong").fill(text)
        form.get_by_label("Rating, 0 (worst) to 10 (optional)").fill("eleven")
        form.get_by_role("button", name="Log complaint").click()
        page.wait_for_load_state()
        assert "rating" in page.locator("#team-log-complaint [role=alert]").inner_text()
        assert page.locator("#complaint-text").input_value() == text  # kept
        page.locator("#complaint-rating").fill("2")
        page.get_by_role("button", name="Log complaint").click()
        page.wait_for_url(served.url(f"{TEAM}#complaints"))
        assert page.locator("#complaints").get_by_text(text).count() == 1
    finally:
        context.close()


def test_the_team_page_with_its_forms_is_accessible_and_fits_a_phone(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        assert_accessible_at(page, served.url(TEAM), "the team page with its forms open", opened="#record-reading form")
    finally:
        context.close()


def test_promises_received_name_who_made_them_and_have_their_chart(browser: Any, served: Served) -> None:
    """Issue 19: the receiving team's table said "to" over the promisor's name, and only promises made had charts."""
    context, page = sign_in(browser, served, "kim")
    try:
        page.goto(served.url("/teams/kitchen"))
        received = page.get_by_role("region", name="Promises received")
        assert received.locator("th").nth(3).inner_text() == "from"
        row = received.locator("tr", has_text="p-kitchen-ready")
        assert row.locator('td[data-label="from"]').inner_text() == "delivery"
        assert page.locator("#promises figcaption", has_text="Compliance of p-kitchen-ready").count() == 1
    finally:
        context.close()
