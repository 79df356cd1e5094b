"""docs/brief.md §11 on the team page, in a real browser: the team's lead sets its success metric with the "Set
success metric" form and the page shows it by month (kept or missed in words and shapes) beside the team's
growth; a member sees no form and a forced post names the rule; a metric nobody defined is refused beside the
form with what was typed kept; the page stays accessible and fits a phone. The company runs on a server of
this module's own (its commands change the team)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.web_company import LINES, TOKENS

pytestmark = pytest.mark.processes  # a server, a browser

TEAM = "/teams/delivery"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving("sqlite", tmp_path_factory.mktemp("success-metric"), LINES, TOKENS) as server:
        yield server


def _set(page: Any, metric: str, target: str, reason: str) -> None:
    form = page.locator("#set-success-metric")
    form.locator("summary").click()
    form.get_by_label("Metric").fill(metric)
    form.get_by_label("Target (optional)").fill(target)
    form.get_by_label("Why this is the team's success").fill(reason)
    form.get_by_role("button", name="Set success metric").click()


def test_the_lead_sets_the_success_metric_and_the_page_shows_it_by_month(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url(TEAM))
        assert "No success metric set yet." in page.locator("#success").inner_text()
        _set(page, "ready-pct", "90", "Pick-ups on time is what the kitchen pays us for")
        page.wait_for_url(served.url(f"{TEAM}#success"))
        shown = page.locator("#success").inner_text()
        assert "Success metric:" in shown and "target 90" in shown and "Self-funded months" in shown
        reading = page.locator("#record-reading")
        reading.locator("summary").click()
        reading.get_by_label("Reading of").select_option("ready-pct")
        reading.get_by_label("Value").fill("97.5")
        reading.get_by_role("button", name="Record reading").click()
        page.wait_for_url(served.url(f"{TEAM}#promises"))
        assert page.locator("#success tbody tr", has_text="✓ kept").count() == 1
        assert page.locator("#success svg circle").count() == 1  # the month's mark on the chart
        status, view = served.api("GET", "/api/teams/delivery", "cora")
        assert status == 200, view
        metric = view["success_metric"]
        assert (metric["metric"], metric["target"], metric["by_period"][-1]["kept"]) == ("ready-pct", 90, True)
        assert view["self_funded_months"] == 2 and view["economics"][-1]["revenue_growth"] == pytest.approx(2 / 12)
    finally:
        context.close()


def test_a_member_sees_no_form_and_a_forced_post_names_the_rule(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "max")
    try:
        page.goto(served.url(TEAM))
        assert page.locator("#set-success-metric").count() == 0
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        with page.expect_response(served.url(f"{TEAM}/success-metric")) as answer:
            page.evaluate("""([token]) => { const f = document.createElement('form'); f.method = 'post';
            f.action = '/teams/delivery/success-metric';
            for (const [k, v] of [['csrf_token', token], ['metric', 'ready-pct'], ['reason', 'mine']]) {
              const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
            document.body.append(f); f.submit(); }""", [token])
        assert answer.value.status == 403
        error = page.locator("#set-success-metric [role=alert]").inner_text()
        assert "SetSuccessMetric: that team's lead, council" in error
    finally:
        context.close()


def test_a_metric_nobody_defined_is_refused_beside_the_form(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "cora")  # the council may set it
    try:
        page.goto(served.url(TEAM))
        with page.expect_response(served.url(f"{TEAM}/success-metric")) as answer:
            _set(page, "smiles", "", "Happy couriers")
        assert answer.value.status == 422
        assert "unknown metric 'smiles'" in page.locator("#set-success-metric [role=alert]").inner_text()
        assert page.locator("#success-metric").input_value() == "smiles"
        assert page.locator("#success-reason").input_value() == "Happy couriers"
    finally:
        context.close()


def test_the_success_part_is_accessible_and_fits_a_phone(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        assert_accessible_at(page, served.url(TEAM), "the team page's success and growth",
                             opened="#set-success-metric form")
    finally:
        context.close()
