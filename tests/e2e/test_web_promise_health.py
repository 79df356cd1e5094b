"""docs/brief.md §9 promise health where people read it: the promise, team and company pages and the API say
"in progress" for the current period (never "missed"), "at risk" by the signal's rule, and "kept N of the last M";
``promise show --json`` through the CLI gives the same health; the signals API lists the promise signals. On the
planted promises of ``tests.support.cases.promise_health``, served from a real store of each kind."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import Served, serving
from tests.support.cases.promise_health import scenario
from tests.support.cli import cli_json
from tests.support.scenario import Scenario
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server and the CLI

AS_OF = "2026-03-05T13:00:00Z"  # Thursday 13:00: half of the week of 2026-03-02 gone


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    people = Scenario(at="2025-12-01T00:00:00Z").person("cora", "Cora Council").council("cora").person("olga")
    lead = Scenario(at="2026-01-01T00:00:00Z").member("olga", "lead", lead=True, team="ops")
    with serving(request.param, tmp_path_factory.mktemp(f"health-{request.param}"),
                 people.lines() + scenario().lines() + lead.lines(), {"cora": "write", "olga": "write"}) as server:
        yield server


def text(served: Served, path: str) -> str:
    answer = served.page("cora", path)
    assert answer.status_code == 200, answer.text[:500]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", answer.text)))


def test_the_promise_page_says_in_progress_at_risk_and_kept_n_of_the_last_m(served: Served) -> None:
    page = text(served, f"/promises/p-risk?as_of={AS_OF}")
    assert "Current period (2026-03-02): at risk , 80 so far from 3 readings (target 90)" in page
    assert "Kept 8 of the last 8" in page and "Objective keep 90% of periods" in page
    assert "2026-03-02 80 90 in progress" in page and "missed" not in page.split("2026-03-02 80 90")[1][:20]
    budget = text(served, "/promises/p-budget?as_of=2026-03-03T12:00:00Z")
    assert "budget exhausted , 2 misses where 0 were allowed" in budget and "Missed 2 periods in a row" in budget


def test_the_team_and_company_pages_show_attainment(served: Served) -> None:
    team = text(served, f"/teams/ops?as_of={AS_OF}")
    assert "Kept 7 of the last 7 (1 without a reading)" in team  # p-two: one week without a reading
    assert "at risk" in team
    company = text(served, f"/company?as_of={AS_OF}")
    assert "kept 8 of the last 8 — in progress, at risk, 80 so far (target 90)" in company


def test_the_api_and_the_cli_give_the_same_health(served: Served) -> None:
    status, api = served.api("GET", f"/api/promises/p-risk?as_of={AS_OF}", "cora")
    assert status == 200
    assert api["health"]["current"] == {"period_start": "2026-03-02", "readings": 3, "value": 80.0, "target": 90.0,
                                        "status": "at_risk"}
    assert api["compliance"][-1]["in_progress"] is True and api["compliance"][-1]["kept"] is None
    shown = cli_json("promise", "show", "p-risk", "--as-of", AS_OF, store=served.store,
                     views=served.folder / "cli-views.duckdb")
    assert shown["health"] == api["health"] and shown["compliance"] == api["compliance"]


def test_the_signals_api_lists_the_promise_signals(served: Served) -> None:
    status, answer = served.api("GET", f"/api/signals?as_of={AS_OF}", "cora")
    assert status == 200
    found = {(s["kind"], s["subject"]["key"]) for s in answer["signals"]}
    assert {("promise_at_risk", "p-risk"), ("promise_missed", "p-missed"),
            ("promise_missed", "p-budget")} <= found
    (risk,) = [s for s in answer["signals"] if s["kind"] == "promise_at_risk" and s["subject"]["key"] == "p-risk"]
    assert (risk["raised_at"], risk["team"], risk["client"], risk["severity"]) == (
        "2026-03-05T12:00:00+00:00", "ops", None, "warning")
    assert risk["url"].endswith("/promises/p-risk")


def signed_in(served: Served, person: str) -> httpx.Client:
    client = httpx.Client(base_url=served.base_url, follow_redirects=False, timeout=30)
    found = CSRF.search(client.get("/login").text)
    assert found
    client.post("/login", data={"token": served.tokens[person], "csrf_token": found.group(1), "next": "/"})
    return client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_forms_take_an_objective_and_refuse_one_outside_0_to_1(served: Served) -> None:
    client = signed_in(served, "olga")
    try:
        found = CSRF.search(client.get("/teams/ops").text)
        assert found
        form = {"csrf_token": found.group(1), "promise": "p-web", "promisee": "shop", "statement": "Web",
                "metric": "m-p-track", "target": "90", "period": "week"}
        refused = client.post("/teams/ops/propose", data={**form, "objective": "1.5"})
        assert refused.status_code == 422 and "objective" in refused.text
        assert client.post("/teams/ops/propose", data={**form, "objective": "0.9"}).status_code == 303
        countered = client.post("/promises/p-web/counter", data={"csrf_token": found.group(1), "objective": "0.8",
                                                                 "reason": "closer to what we do"})
        assert countered.status_code == 303, countered.text[:300]
    finally:
        client.close()
    status, shown = served.api("GET", "/api/promises/p-web", "olga")
    assert status == 200 and shown["objective"] == 0.8
    assert [h["changes"].get("objective") for h in shown["history"]] == [0.9, 0.8]
