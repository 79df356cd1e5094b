"""The demo company's experiments told one way: `experiment show` (CLI text), the demo's HTML report and the
experiment page lead with the comparison the recommendation rests on (method and arm named), plain Welch
beneath it, the sample ratio and power always, verdicts in words and colour, the effect over time drawn."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import httpx
import pytest

from projections.rendering.experiment_story import Story, story
from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, sign_in, start_server, stop_server
from tests.support.cli import CLI, run_cli

pytestmark = pytest.mark.processes  # the CLI, a server, a browser

KEYS = ("exp-arrival-notice", "exp-microzone-batching", "exp-nav-app", "exp-overnight-proofing", "exp-pick-to-light")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LEAD = re.compile(r"rests on \(?(better|worse|harmed|no significant difference|not tested yet)\)? ?: (.+?) "
                  r"unadjusted, as in the JSON headline: (.+?\(plain Welch t-test, unadjusted\))", re.IGNORECASE)


@dataclass
class Demo:
    served: Served
    stdout: str
    views: dict[str, Any]  # experiment show --json
    cli: dict[str, str]  # experiment show, as text
    report: dict[str, str]  # each experiment's section of the demo's HTML report
    pages: dict[str, str]  # each experiment's page
    outcomes: list[tuple[Any, ...]]  # the experiment_outcomes rows the recommendations rest on


def text_of(markup: str) -> str:
    """What a reader sees: tags dropped, entities decoded, white space (a terminal's wrapping too) as one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo-story")
    done = subprocess.run([*CLI, "demo"], cwd=folder, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    data = folder / ".clientocracy"
    store, views = f"sqlite:///{data / 'ledger.db'}", data / "views.duckdb"
    sections = (data / "retrospective.html").read_text(encoding="utf-8").split("<h4>")
    report = {key: next(s for s in sections if s.startswith(f"{key}</h4>")) for key in KEYS}
    shown = {key: json.loads(run_cli("experiment", "show", key, "--json", store=store, views=views,
                                     check=True).stdout) for key in KEYS}
    cli = {key: run_cli("experiment", "show", key, store=store, views=views, check=True).stdout for key in KEYS}
    with duckdb.connect(str(views), read_only=True) as con:
        outcomes = con.execute("SELECT experiment, arm, arm_metric, vs_control_verdict FROM experiment_outcomes"
                               " WHERE recommendation_basis ORDER BY experiment").fetchall()
    served = start_server(data, store, [], {"maria-ivanova": "read"})
    try:
        with httpx.Client(base_url=served.base_url, timeout=30) as client:
            form = client.get("/login")
            client.post("/login", data={"token": served.tokens["maria-ivanova"], "next": "/",
                                        "csrf_token": CSRF.search(form.text).group(1)})  # type: ignore[union-attr]
            pages = {key: client.get(key if key.startswith("/") else f"/experiments/{key}").text
                     for key in (*KEYS, "/teams/home-delivery")}
        yield Demo(served, done.stdout, shown, cli, report, pages, outcomes)
    finally:
        stop_server(served)


def _told(demo: Demo, key: str) -> tuple[Story, dict[str, str]]:
    return story(demo.views[key]), {"CLI text": text_of(demo.cli[key]), "HTML report": text_of(demo.report[key]),
                                    "page": text_of(demo.pages[key])}


@pytest.mark.parametrize("key", KEYS)
def test_cli_text_report_and_page_tell_the_same_story(demo: Demo, key: str) -> None:
    told, texts = _told(demo, key)
    assert told.lead is not None and told.plain is not None
    found = {}
    for where, text in texts.items():
        match = LEAD.search(text)
        assert match, f"{key}: no headline in the {where}"
        found[where] = match.groups()
        assert told.srm in text and told.power in text, where  # the same checks, to the digit
        for line in told.lines:  # every comparison: the page's table cells, the CLI's sentences
            parts = (line.pair, line.verdict, line.difference, line.lift, line.evidence, line.method)
            assert all(part in text for part in parts), (where, line)
    assert len(set(found.values())) == 1, found  # the same numbers, method and arm in all three
    assert found["page"] == (told.lead.verdict, told.lead.text, told.plain.text)


def test_nav_app_leads_with_cuped_and_agrees_with_its_verdict(demo: Demo) -> None:
    view = demo.views["exp-nav-app"]
    told, texts = _told(demo, "exp-nav-app")
    cuped = view["comparisons"][0]
    assert view["recommendation"] == "ship" and cuped["p_value"] < 0.05 and cuped["cuped_theta"] is not None
    assert told.lead is not None and told.lead.verdict == "better" and told.lead.arm == "nav-app"
    difference = f"{cuped['abs_diff']:.2f}".replace("-", "−")
    assert told.lead.text.startswith(f"nav-app − paper-map on delivery-minutes: difference {difference}, 95% CI")
    assert "(CUPED-adjusted Welch t-test, variance reduced 91.8%)" in told.lead.text
    for where, text in texts.items():  # the verdict's comparison first, §4's plain Welch beneath, labelled
        lead = text.index(told.lead.text)
        plain = text.index("nav-app − paper-map on delivery-minutes: difference −1.12, 95% CI [−3.14, 0.89], "
                           "lift −2.8%, p = 0.27 (plain Welch t-test, unadjusted)")
        assert lead < plain, where
    assert "−92% var" not in texts["CLI text"] and "+91.8%" not in texts["page"]


@pytest.mark.parametrize("key", KEYS)
def test_sample_ratio_and_power_are_always_shown(demo: Demo, key: str) -> None:
    told, texts = _told(demo, key)
    expected = "not applicable" if key == "exp-overnight-proofing" else "healthy"
    assert told.srm_state == expected and told.srm.startswith(f"Sample ratio: {expected}")
    for where, text in texts.items():
        assert f"Sample ratio: {expected}" in text and "Power: " in text, where


def test_a_harmed_guardrail_is_said_in_words_and_drawn_red(demo: Demo) -> None:
    page, cli = demo.pages["exp-arrival-notice"], text_of(demo.cli["exp-arrival-notice"])
    row = page[page.index('<td data-label="comparison">call-notice − no-notice on complaint-rate</td>'):]
    row = row[:row.index("</tr>")]
    assert '<span class="verdict tone-bad">harmed</span>' in row
    chart = page[page.index("lift against no-notice by arm and metric"):]
    chart = chart[:chart.index("</svg>")]
    assert re.search(r'stroke="#c62828"[^>]*/><circle[^>]*fill="#c62828"><title>call-notice · complaint-rate '
                     r"\(guardrail\): \+58\.7%, p = 0\.0040: harmed \(Welch t-test\)</title>", chart)
    assert "rests on (harmed): call-notice − no-notice on complaint-rate (guardrail)" in cli
    assert "recommendation: rollback" in text_of(page)


def test_three_arm_headlines_name_their_arms(demo: Demo) -> None:
    told, texts = _told(demo, "exp-arrival-notice")
    assert told.lead is not None and told.lead.pair == "call-notice − no-notice on complaint-rate"
    assert told.plain is not None and told.plain.pair == "sms-notice − no-notice on delivery-minutes"
    for where, text in texts.items():
        assert "treatment − control" not in text and "(treatment − control)" not in text, where


def test_the_cumulative_effect_is_drawn_with_its_table(demo: Demo) -> None:
    page = demo.pages["exp-nav-app"]
    told, _ = _told(demo, "exp-nav-app")
    figure = page[page.index("exp-nav-app: cumulative lift of nav-app over paper-map on delivery-minutes, by day "
                             "(CUPED-adjusted Welch t-test, variance reduced 91.8%)"):]
    figure = figure[:figure.index("</figure>")]
    assert "<desc>" in figure and "lift (0 = no effect)" in figure and 'stroke="#24292f"' in figure  # zero line
    table = page[page.index("The cumulative lift as a table (24 points)"):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 25 and html.escape(told.over_time[-1][2]) in table  # header and 24 days
    assert told.lead is not None and told.over_time[-1][2] in told.lead.lift
    assert told.over_time_title == ("exp-nav-app: cumulative lift of nav-app over paper-map on delivery-minutes, by "
                                    "day (CUPED-adjusted Welch t-test, variance reduced 91.8%)")
    for where, text in _told(demo, "exp-nav-app")[1].items():  # one caption, the method named, everywhere
        assert told.over_time_title in text, where


OVERLAPS = """svg => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()]);
    const cut = texts.filter(([, r]) => r.left < box.left - 0.5 || r.right > box.right + 0.5).map(([t]) => t);
    const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const overlaps = [];
    texts.forEach(([t, r], i) => texts.slice(i + 1).forEach(([u, q]) => { if (meet(r, q)) overlaps.push([t, u]); }));
    return {cut, overlaps};
}"""


@pytest.mark.parametrize("width", [1100, 390])
def test_the_effect_over_time_writes_no_label_over_another_nor_past_its_edge(demo: Demo, browser: Any,
                                                                              width: int) -> None:
    context, page = sign_in(browser, demo.served, "maria-ivanova")
    try:
        page.set_viewport_size({"width": width, "height": 900})
        for key in ("exp-nav-app", "exp-arrival-notice"):
            page.goto(demo.served.url(f"/experiments/{key}"))
            chart = page.locator("figure", has_text="cumulative lift of").locator("svg")
            found = chart.evaluate(OVERLAPS)
            assert found == {"cut": [], "overlaps": []}, (key, width, found)
    finally:
        context.close()


def test_analysts_find_what_each_recommendation_rests_on(demo: Demo) -> None:
    assert [row[0] for row in demo.outcomes] == list(KEYS)  # one row each
    rows = {row[0]: row[1:] for row in demo.outcomes}
    assert rows["exp-nav-app"] == ("nav-app", "delivery-minutes", "better")
    assert rows["exp-arrival-notice"] == ("call-notice", "complaint-rate", "harmed")


def test_the_team_page_lists_what_each_recommendation_rests_on(demo: Demo) -> None:
    team = text_of(demo.pages["/teams/home-delivery"])
    told = story(demo.views["exp-nav-app"])
    assert told.lead is not None and (f"ship {told.lead.pair}: better, lift {told.lead.lift}, {told.lead.evidence} "
                                      f"({told.lead.method})") in team
    assert "rollback call-notice − no-notice on complaint-rate: harmed" in team


def test_the_demo_summary_lists_each_experiment_once(demo: Demo) -> None:
    summary = next(line for line in demo.stdout.splitlines() if line.strip().startswith("experiments:"))
    assert [summary.count(f"{key}:") for key in KEYS] == [1] * len(KEYS)


@pytest.mark.parametrize("key", ["exp-nav-app", "exp-arrival-notice"])
def test_the_page_fits_a_phone_and_passes_axe(demo: Demo, browser: Any, key: str) -> None:
    context, page = sign_in(browser, demo.served, "maria-ivanova")
    try:
        assert_accessible_at(page, demo.served.url(f"/experiments/{key}"), key)  # laptop, then phone width
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
