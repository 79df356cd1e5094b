"""docs/brief.md §10 "Cost bounds" (issue 17 items 6, 8, 9, 11, 12) against a real server: what one request
may ask, and lists and the start page that do not grow with what another person creates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.support.cli import import_lines, issue
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = pytest.mark.processes  # a real server

HUGE = "99999999999999999999"


def seed() -> list[dict[str, Any]]:
    scenario = (Scenario().person("carol").council("carol").person("mallory").person("bob").person("dora")
                .team("kitchen").member("mallory", "cook").team("garden").member("bob", "gardener", lead=True)
                .client("diner").represent("dora", "diner").metric("ontime"))
    lines = scenario.lines()
    lines += [{"type": "ProposePromise", "promise": f"p{i:03d}", "promisor": "kitchen", "promisee": "diner",
               "statement": f"Order {i} on time", "metric": "ontime", "target": 90, "period": "week",
               "actor": "mallory"} for i in range(120)]
    return lines


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("bounds")
    store = f"sqlite:///{folder / 'ledger.db'}"
    import_lines(store, seed())
    tokens = {person: issue(store, person)["token"] for person in ("carol", "bob", "dora")}
    tokens["ingest"] = issue(store, "bob", "--scope", "ingest")["token"]
    server = ServerProcess(store, folder / "views.duckdb", folder / "server.log")
    try:
        yield {"server": server, "tokens": tokens}
    finally:
        server.stop()


def call(served: dict[str, Any], method: str, path: str, who: str = "carol", **kwargs: Any) -> httpx.Response:
    with served["server"].client(served["tokens"][who]) as http:
        return http.request(method, path, **kwargs)


def test_arrays_past_a_thousand_commands_are_413(served: dict[str, Any]) -> None:
    ones = b"[" + b"1," * ((1 << 20) // 2 - 2) + b"1]"  # just under 1 MiB: half a million commands
    assert len(ones) <= 1 << 20
    for who in ("ingest", "carol"):
        answer = call(served, "POST", "/api/commands", who, content=ones)
        assert answer.status_code == 413 and len(answer.content) < 200, answer.text[:300]
    answer = call(served, "POST", "/api/commands", json=[1] * 1001)
    assert answer.status_code == 413 and "1000" in answer.json()["error"]
    answer = call(served, "POST", "/api/commands", json=[1] * 1000)
    assert answer.status_code == 200 and len(answer.json()["results"]) == 1000


def test_a_query_parameter_repeated_past_ten_times_is_422(served: dict[str, Any]) -> None:
    ten = "&".join(["team=kitchen"] * 10)
    assert call(served, "GET", f"/api/retro?{ten}&from=2026-01-01&to=2026-02-01").status_code == 200
    answer = call(served, "GET", f"/api/retro?{ten}&team=garden&from=2026-01-01&to=2026-02-01")
    assert answer.status_code == 422 and "'team'" in answer.json()["error"], answer.text
    assert call(served, "GET", "/api/audit?" + "&".join(["actor=x"] * 150)).status_code == 422


@pytest.mark.parametrize("query", [f"limit={HUGE}", f"offset={HUGE}", "limit=1001", "limit=0", "offset=-1"])
def test_limits_and_offsets_out_of_range_are_422(served: dict[str, Any], query: str) -> None:
    for path in ("/api/audit", "/api/teams/kitchen"):
        answer = call(served, "GET", f"{path}?{query}")
        assert answer.status_code == 422 and isinstance(answer.json()["error"], str), (path, answer.text)


def test_deeply_nested_json_is_422(served: dict[str, Any]) -> None:
    for depth in (100, 100_000):
        body = b"[" * depth + b"]" * depth
        for path, who in (("/api/commands", "carol"), ("/api/feedback", "ingest")):
            answer = call(served, "POST", path, who, content=body, headers={"Content-Type": "application/json"})
            assert answer.status_code == 422 and "nest" in answer.json()["error"], (path, depth, answer.text)
    answer = call(served, "POST", "/api/commands", json=[{"type": "FormTeam", "team": "deep", "name": "D"}])
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "accepted"


def test_the_audit_trail_is_a_page(served: dict[str, Any]) -> None:
    first = call(served, "GET", "/api/audit").json()
    assert len(first["items"]) == 100 and first["events"] == first["items"]
    assert first["total"] > 120 and first["next_offset"] == 100
    rest = call(served, "GET", f"/api/audit?limit=1000&offset={first['next_offset']}").json()
    assert len(rest["items"]) == first["total"] - 100 and rest["next_offset"] is None
    assert call(served, "GET", f"/api/audit?offset={2**62}").json()["items"] == []


@contextmanager
def signed_in(served: dict[str, Any], who: str) -> Iterator[httpx.Client]:
    with served["server"].client() as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf is not None
        client.post("/login", data={"token": served["tokens"][who], "csrf_token": csrf.group(1), "next": "/"})
        yield client


def awaiting_section(page: str) -> str:
    start = page.index('id="awaiting"')
    return page[start:page.index("</section>", start)]


def test_the_start_page_pages_the_proposals_of_ones_sides_only(served: dict[str, Any]) -> None:
    with signed_in(served, "dora") as dora:
        first = awaiting_section(dora.get("/").text)  # the promises made to her clients are a list of their own
        assert first.count('href="/promises/p') == 50 and "p049" in first and "p050" not in first
        assert "Awaiting your answer (120)" in first and 'href="/?offset=50#awaiting"' in first
        second = awaiting_section(dora.get("/?offset=100").text)
        assert second.count('href="/promises/p') == 20 and "Next proposals" not in second
        assert dora.get(f"/?offset={HUGE}").status_code == 422
    with signed_in(served, "bob") as bob:  # neither side of the kitchen's proposals
        assert "Nothing awaits your answer." in bob.get("/").text


def test_lengths_count_the_text_as_sent_as_the_schema_says(served: dict[str, Any]) -> None:
    """The OpenAPI document says maxLength 200 for a key and 4000 for a text: spaces around them count too
    (Schemathesis found both accepted past the limit, stripped first)."""
    for team, name in (("k" * 200 + " ", "N"), ("padded", " " + "n" * 4000)):
        answer = call(served, "POST", "/api/commands", json={"type": "FormTeam", "team": team, "name": name})
        assert answer.status_code == 422 and "at most" in answer.json()["error"], answer.text
    answer = call(served, "POST", "/api/commands", json={"type": "FormTeam", "team": " padded ", "name": " P "})
    assert answer.status_code == 200, answer.text
    assert call(served, "GET", "/api/teams/padded").json()["team"] == "padded"


def test_the_propose_form_suggests_a_bounded_number_of_clients(served: dict[str, Any]) -> None:
    """Any member may identify clients: the team page's propose form suggests 200 of them, any key may be typed."""
    many = [{"type": "IdentifyClient", "client": f"walk-in-{i:03d}", "name": f"Walk-in {i}", "kind": "external"}
            for i in range(300)]
    assert call(served, "POST", "/api/commands", json=many).status_code == 200
    with signed_in(served, "bob") as bob:
        page = bob.get("/teams/garden").text
    for form_list in ("propose-promisees", "complaint-clients"):  # each form's list of clients is bounded
        start = page.index(f'<datalist id="{form_list}">')
        suggested = re.findall(r'<option value="walk-in-\d+"', page[start:page.index("</datalist>", start)])
        assert 0 < len(suggested) <= 200, (form_list, len(suggested))
    assert 'id="propose-promisee"' in page and 'id="complaint-client" name="client" list=' in page
