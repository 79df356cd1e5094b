"""The team page's "Open complaints (N)" updates live (server-sent events, no reload) when feedback is
recorded through the API or the Kafka consumer, and client text is always shown as text."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import Served, sign_in
from tests.support.cli import CLI, run_cli
from tests.support.kafka import create_topic, produce
from tests.support.web_company import complaint

pytestmark = pytest.mark.processes  # a server, the CLI, a browser

LIVE_SECONDS = 2.0
REOPENED_WITHIN = 10.0
"""Seconds within which a page whose live connection was refused has a new one (after 2 s, then 4 s) and updates."""


@pytest.fixture
def team_page(browser: Any, served: Served) -> Iterator[Any]:
    """Lena's browser on the delivery team page, its live connection open; fails on any dialog."""
    context, page = sign_in(browser, served, "lena")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(served.url("/teams/delivery"))
    page.wait_for_function("document.documentElement.getAttribute('data-live-ready') === '1'")
    page.wait_for_timeout(300)  # the EventSource connects
    page.evaluate("window.__notReloaded = true")
    yield page
    assert dialogs == [], f"a dialog fired: {dialogs}"
    context.close()


def _open_count(served: Served) -> int:
    status, team = served.api("GET", "/api/teams/delivery", "cora")
    assert status == 200
    return int(team.get("open_complaints_count", len(team["open_complaints"])))


def _wait_for_heading(page: Any, count: int, timeout: float) -> float:
    """Seconds until the heading reads ``Open complaints (count)``; fails after ``timeout``."""
    started = time.monotonic()
    page.wait_for_function("n => document.getElementById('open-complaints').textContent.trim() === "
                           "'Open complaints (' + n + ')'", arg=count, timeout=timeout * 1000)
    return time.monotonic() - started


def test_a_complaint_posted_to_the_api_appears_live(team_page: Any, served: Served) -> None:
    before = _open_count(served)
    assert team_page.locator("#open-complaints").inner_text() == f"Open complaints ({before})"
    status, _ = served.api("POST", "/api/feedback", "feeder", complaint("fb-live-api", "Soup arrived cold"))
    assert status == 202
    seconds = _wait_for_heading(team_page, before + 1, LIVE_SECONDS)
    assert team_page.get_by_text("Soup arrived cold").count() == 1
    assert team_page.evaluate("window.__notReloaded") is True  # updated in place, no reload
    print(f"live update after the API answered: {seconds:.2f}s")


def test_client_text_is_shown_as_text_never_as_markup(team_page: Any, served: Served) -> None:
    before = _open_count(served)
    texts = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
    for n, text in enumerate(texts):
        assert served.api("POST", "/api/feedback", "feeder", complaint(f"fb-xss-{n}", text))[0] == 202
    _wait_for_heading(team_page, before + 2, LIVE_SECONDS)
    team_page.reload()  # and once more server-rendered as a whole page
    for page_text in texts:
        assert team_page.get_by_text(page_text, exact=True).count() == 1
    assert team_page.locator("img").count() == 0
    assert team_page.locator("#complaints script").count() == 0
    scripts = team_page.locator("script").evaluate_all("nodes => nodes.map(n => n.src + n.textContent)")
    assert all("alert" not in s for s in scripts)
    assert team_page.evaluate("typeof window.alert") == "function"


def test_a_complaint_produced_to_kafka_appears_live(team_page: Any, served: Served, kafka_bootstrap: str,
                                                    tmp_path: Path) -> None:
    topic = create_topic(kafka_bootstrap, partitions=1)
    consumer = subprocess.Popen([*CLI, "ingest", "kafka", "--bootstrap", kafka_bootstrap, "--topic", topic,
                                 "--group", f"g-{topic}", "--until-idle", "60", "--store", served.store],
                                stdout=subprocess.PIPE, stderr=(tmp_path / "ingest.log").open("wb"))
    try:
        # warm up: the consumer group joins (a few seconds on Tansu) before the timed message is sent
        before = _open_count(served)
        produce(kafka_bootstrap, topic, [(b"w", json.dumps(complaint("fb-kafka-warm", "warm-up")).encode())])
        _wait_for_heading(team_page, before + 1, 60)
        sent = time.monotonic()
        produce(kafka_bootstrap, topic, [(b"k", json.dumps(complaint("fb-kafka-1", "Driver was rude")).encode())])
        _wait_for_heading(team_page, before + 2, 30)
        seen_after_send = time.monotonic() - sent
        seen_at = datetime.now().astimezone()
        assert team_page.get_by_text("Driver was rude").count() == 1
        assert team_page.evaluate("window.__notReloaded") is True
        status, audit = served.api("GET", "/api/audit", "cora")
        recorded = [e for e in audit["events"] if e["channel"] == "kafka" and e["key"] == "fb-kafka-1"]
        assert status == 200 and recorded, audit["events"][-3:]
        recorded_at = datetime.fromisoformat(recorded[-1]["recorded_at"])
        lag = (seen_at - recorded_at).total_seconds()
        print(f"kafka complaint: on the page {seen_after_send:.2f}s after send, {lag:.2f}s after it was recorded")
        assert lag <= LIVE_SECONDS
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)


def test_a_complaint_imported_by_the_cli_appears_live(team_page: Any, served: Served) -> None:
    before = _open_count(served)
    line = {"type": "RecordFeedback", "id": "fb-import-live", **complaint("fb-import-live", "Wrong soup")}
    run_cli("import", "-", store=served.store, stdin=json.dumps(line) + "\n", check=True)
    seconds = _wait_for_heading(team_page, before + 1, LIVE_SECONDS)
    assert team_page.get_by_text("Wrong soup").count() == 1
    print(f"imported complaint on the page {seconds:.2f}s after the import exited")


def test_the_live_list_waits_while_someone_types_a_resolution(team_page: Any, served: Served) -> None:
    before = _open_count(served)
    team_page.get_by_text("Resolve…").first.click()
    field = team_page.locator("#resolution-1")
    field.fill("Calling the client back")
    assert served.api("POST", "/api/feedback", "feeder", complaint("fb-while-typing", "Cold again"))[0] == 202
    team_page.wait_for_timeout(1500)
    assert field.input_value() == "Calling the client back"  # not wiped by the refresh
    team_page.locator("h1").click()  # leaves the list: the deferred refresh happens now
    _wait_for_heading(team_page, before + 1, LIVE_SECONDS)
    assert team_page.get_by_text("Cold again").count() == 1


def test_a_page_whose_live_connection_was_refused_listens_again(browser: Any, served: Served) -> None:
    """An ``EventSource`` refused (429 here, every stream of the token taken; 503 when the store is busy) gives up
    for good; the page opens a new one a while later, so it updates live again. It used to stay still."""
    taken: list[httpx.Response] = []
    with httpx.Client(base_url=served.base_url, headers={"Authorization": f"Bearer {served.tokens['lena']}"},
                      timeout=30) as http:
        try:
            while len(taken) <= 8:  # the server's limit per token
                response = http.send(http.build_request("GET", "/api/events"), stream=True)
                if response.status_code == 429:
                    response.close()
                    break
                taken.append(response)
            context, page = sign_in(browser, served, "lena")
            page.goto(served.url("/teams/delivery"))
            page.wait_for_function("document.documentElement.getAttribute('data-live-ready') === '1'")
            page.wait_for_timeout(500)  # its EventSource is refused
        finally:
            for response in taken:
                response.close()
    before = _open_count(served)
    text = "Late once more, live"  # no other test of the shared server posts it
    assert served.api("POST", "/api/feedback", "feeder", complaint("fb-live-reopened", text))[0] == 202
    seconds = _wait_for_heading(page, before + 1, REOPENED_WITHIN)
    assert page.get_by_text(text, exact=True).count() == 1
    print(f"live again {seconds:.2f}s after the complaint")
    context.close()
