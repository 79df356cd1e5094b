"""docs/brief.md §8 "Daily forms" for experiments, in a real browser on SQLite and PostgreSQL: "Propose experiment"
on the team page, "Start experiment", "Record results" by a CSV upload (one transaction, or nothing: a bad row is
named and the store holds no observation of that upload; a file over 1 MiB is refused beside its form) and
"Conclude experiment" on the experiment page, which then shows the outcome; refusals beside their forms (403
naming the rule, 422 naming the field); the pages with their forms pass axe-core and fit a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.service.ledger import Ledger
from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, serving, sign_in
from tests.support.ledger import observations
from tests.support.stores import STORES
from tests.support.web_company import LINES, TOKENS
from web.results_csv import MAX_BYTES

pytestmark = pytest.mark.processes  # a server, a browser

TEAM = "/teams/delivery"


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"experiment-forms-{request.param}"), LINES, TOKENS) as server:
        yield server


def _stored(served: Served, experiment: str) -> list[tuple[str, float, str | None, float | None]]:
    """The observations of ``experiment`` in the store itself (not the views)."""
    ledger = Ledger.open(served.store)
    try:
        return observations(ledger, experiment)
    finally:
        ledger.close()


def _running(served: Served, experiment: str) -> None:
    """A proposed and started experiment of the delivery team, through the API."""
    for command in ({"type": "ProposeExperiment", "experiment": experiment, "team": "delivery", "hypothesis": "h",
                     "metric": "ready-pct", "design": "ab"}, {"type": "StartExperiment", "experiment": experiment}):
        status, answer = served.api("POST", "/api/commands", "lena", command)
        assert status == 200, answer


def _upload(page: Any, served: Served, experiment: str, file: Path) -> Any:
    page.goto(served.url(f"/experiments/{experiment}"))
    page.locator("#results-file").set_input_files(str(file))
    with page.expect_response(served.url(f"/experiments/{experiment}/results")) as answer:
        page.get_by_role("button", name="Upload results").click()
    page.wait_for_load_state()
    return answer.value


def test_an_experiment_is_proposed_started_given_a_csv_and_concluded_by_clicks(
        browser: Any, served: Served, tmp_path: Path) -> None:
    key = f"exp-boxes-{served.store[:6].replace(':', '')}"
    rows = [f"control,{80 + n % 7}" for n in range(30)] + [f"treatment,{88 + n % 5},,{70 + n}" for n in range(30)]
    (tmp_path / "results.csv").write_text("arm,value,metric,covariate\n" + "\n".join(rows) + "\n")
    context, page = sign_in(browser, served, "lena")
    try:
        page.goto(served.url(TEAM))
        form = page.locator("#propose-experiment")
        form.locator("summary").first.click()
        form.get_by_label("Experiment key").fill(key)
        form.get_by_label("Hypothesis").fill("Insulated boxes keep more pick-ups on time")
        form.get_by_label("Primary metric").fill("ready-pct")
        form.get_by_label("Promise it serves (optional)").select_option("p-kitchen-ready")
        form.get_by_label("Arms, the control first (comma-separated)").fill("control, treatment")
        form.locator("details.plan summary").click()
        form.get_by_label("Significance level alpha (default 0.05)").fill("0.1")
        form.get_by_role("button", name="Propose experiment").click()
        page.wait_for_url(served.url(f"/experiments/{key}"))
        assert "proposed" in page.locator(".status").first.inner_text()

        page.get_by_role("button", name="Start experiment").click()
        page.wait_for_url(served.url(f"/experiments/{key}#outcome"))
        assert "running" in page.locator(".status").first.inner_text()

        answer = _upload(page, served, key, tmp_path / "results.csv")
        assert answer.status == 303 or answer.status == 200, answer.status
        page.wait_for_url(served.url(f"/experiments/{key}#outcome"))
        arms = page.get_by_role("region", name="Arms").inner_text()
        assert "control (control)\t30" in arms and "treatment\t30" in arms, arms
        assert len(_stored(served, key)) == 60

        conclude = page.locator("#conclude-experiment")
        conclude.get_by_label("Decision", exact=True).select_option("adopt")
        conclude.get_by_label("What we learned, and why this decision").fill("Boxes win about eight points")
        conclude.get_by_role("button", name="Conclude experiment").click()
        page.wait_for_url(served.url(f"/experiments/{key}#outcome"))
        shown = page.locator("main").inner_text()
        assert "concluded" in shown and "Boxes win about eight points" in shown and "adopt" in shown
        assert page.locator("#outcome svg").count() >= 1  # the outcome drawn
        assert page.locator("#record-results").count() == 0 and page.locator("#conclude-experiment").count() == 0
        status, view = served.api("GET", f"/api/experiments/{key}", "cora")
        assert status == 200 and (view["status"], view["decision"]) == ("concluded", "adopt")
        assert view["plan"]["alpha"] == 0.1 and [a["n"] for a in view["arms"]] == [30, 30]
    finally:
        context.close()


@pytest.mark.parametrize(("case", "bad_row", "said"), [
    ("arm", "placebo,3", "arm 'placebo' is not one of experiment"),
    ("value", "treatment,ninety", "value: Input should be a valid number"),
])
def test_a_bad_row_is_named_and_nothing_of_the_file_is_recorded(
        browser: Any, served: Served, tmp_path: Path, case: str, bad_row: str, said: str) -> None:
    key = f"exp-bad-{case}-{served.store[:6].replace(':', '')}"
    _running(served, key)
    (tmp_path / "bad.csv").write_text("control,1\ntreatment,2\ncontrol,3\n" + bad_row + "\ncontrol,5\n")
    context, page = sign_in(browser, served, "max")
    try:
        answer = _upload(page, served, key, tmp_path / "bad.csv")
        assert answer.status == 422
        error = page.locator("#upload-results [role=alert]").inner_text()
        assert error.startswith("row 4: ") and said in error and "Nothing of this file was recorded." in error, error
        assert _stored(served, key) == []
    finally:
        context.close()


def test_an_oversize_upload_is_refused_beside_its_form(browser: Any, served: Served, tmp_path: Path) -> None:
    key = f"exp-big-{served.store[:6].replace(':', '')}"
    _running(served, key)
    line = b"control,1.25\n"
    (tmp_path / "big.csv").write_bytes(line * (MAX_BYTES // len(line) + 1))
    context, page = sign_in(browser, served, "lena")
    try:
        answer = _upload(page, served, key, tmp_path / "big.csv")
        assert answer.status == 413
        error = page.locator("#upload-results [role=alert]").inner_text()
        assert "at most 1,048,576 (1 MiB) are taken" in error, error
        assert _stored(served, key) == []
    finally:
        context.close()


def test_refusals_show_beside_their_forms(browser: Any, served: Served) -> None:
    key = f"exp-refused-{served.store[:6].replace(':', '')}"
    _running(served, key)
    context, page = sign_in(browser, served, "olga")  # the bakery's lead: not of the delivery team
    try:
        page.goto(served.url(f"/experiments/{key}"))
        assert page.locator("#record-results").count() == 0 and page.locator("#conclude-experiment").count() == 0
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        with page.expect_response(served.url(f"/experiments/{key}/conclude")) as answer:
            page.evaluate("""([token, key]) => { const f = document.createElement('form'); f.method = 'post';
            f.action = '/experiments/' + key + '/conclude';
            for (const [k, v] of [['csrf_token', token], ['decision', 'reject'], ['learning', 'not ours']]) {
              const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
            document.body.append(f); f.submit(); }""", [token, key])
        assert answer.value.status == 403
        assert "members of the team concerned" in page.locator("#conclude-experiment [role=alert]").inner_text()
    finally:
        context.close()
    context, page = sign_in(browser, served, "max")
    try:
        page.goto(served.url(TEAM))
        form = page.locator("#propose-experiment")
        form.locator("summary").first.click()
        form.get_by_label("Experiment key").fill(f"{key}-2")
        form.get_by_label("Hypothesis").fill("Two weights for three arms")
        form.get_by_label("Primary metric").fill("ready-pct")
        form.get_by_label("Arms, the control first (comma-separated)").fill("control, warm, cold")
        form.locator("details.plan summary").click()
        form.get_by_label("Planned split, one weight per arm, comma-separated (default equal)").fill("1, 2")
        with page.expect_response(served.url(f"{TEAM}/experiments")) as answer:
            form.get_by_role("button", name="Propose experiment").click()
        assert answer.value.status == 422
        error = page.locator("#propose-experiment [role=alert]").inner_text()
        assert "weights must have one entry per arm (3)" in error, error
        assert page.locator("#experiment-hypothesis").input_value() == "Two weights for three arms"  # kept

        page.goto(served.url(f"/experiments/{key}"))
        summary = page.locator("#record-summary")
        page.locator("#record-results details", has=summary).locator("summary").click()
        summary.get_by_label("Units (n)").fill("40")
        summary.get_by_label("Mean").fill("eighty")
        summary.get_by_label("Standard deviation (the sample one, n − 1)").fill("4")
        with page.expect_response(served.url(f"/experiments/{key}/summaries")) as answer:
            summary.get_by_role("button", name="Record summary").click()
        assert answer.value.status == 422
        assert "mean must be a number" in page.locator("#record-summary [role=alert]").inner_text()
        page.locator("#summary-mean").fill("80")
        summary.get_by_role("button", name="Record summary").click()
        page.wait_for_url(served.url(f"/experiments/{key}#record-results"))
        assert "control (control)\t40\t80\t4" in page.get_by_role("region", name="Arms").inner_text()
    finally:
        context.close()


def test_the_experiment_forms_are_accessible_and_fit_a_phone(browser: Any, served: Served) -> None:
    key = f"exp-a11y-{served.store[:6].replace(':', '')}"
    _running(served, key)
    context, page = sign_in(browser, served, "lena")
    try:
        for path, form in ((f"/experiments/{key}", "#upload-results"), (TEAM, "#propose-experiment form")):
            assert_accessible_at(page, served.url(path), f"{path} with its experiment forms open", opened=form)
    finally:
        context.close()
