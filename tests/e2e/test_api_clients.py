"""docs/brief.md §8 "Clients (steps 1-4)": `client show` and `GET /api/clients/{key}` on a real server (SQLite and
PostgreSQL), with §10's read rules: the council's answer is the CLI's, an unconcerned team reads the client's
personal fields and complaint texts as null, an external representative reads only their own client and none of
its (internal) propositions and canvases, and an as-of time before a canvas was drawn shows none."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import Served, serving
from tests.support.cli import run_cli
from tests.support.complaints import ageless
from tests.support.read_company import LINES, SHOP_TEXT, TOKENS
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server and the CLI

FACTORS = ["price", "speed", "care"]
_STEPS: list[dict[str, Any]] = [
    {"type": "RecordPain", "client": "shop", "pain": "slow", "description": "Parcels come late", "severity": 2,
     "at": "2026-01-02T00:00:00Z"},
    {"type": "RecordPain", "client": "shop", "pain": "unrated", "description": "Nobody rated this", "at":
     "2026-01-02T00:01:00Z"},
    {"type": "RecordPain", "client": "shop", "pain": "crushed", "description": "Parcels arrive crushed",
     "severity": 5, "at": "2026-01-02T00:02:00Z"},
    {"type": "DefineValueProposition", "proposition": "vp-shop", "client": "shop", "team": "delivery",
     "statement": "Whole parcels, on time", "characteristics": ["whole", "on time"], "pains": ["crushed", "slow"],
     "at": "2026-01-03T00:00:00Z"},
    {"type": "DrawStrategyCanvas", "canvas": "cv-shop", "client": "shop", "team": "delivery", "factors": FACTORS,
     "at": "2026-01-25T00:00:00Z"},
    {"type": "ScoreOffering", "canvas": "cv-shop", "offering": "us", "ours": True,
     "scores": {"price": 6, "speed": 8, "care": 9}, "at": "2026-01-25T00:01:00Z"},
    {"type": "ScoreOffering", "canvas": "cv-shop", "offering": "rival", "scores": {"price": 8, "speed": 5, "care": 3},
     "at": "2026-01-25T00:02:00Z"},
    {"type": "ScoreOffering", "canvas": "cv-shop", "offering": "rival", "scores": {"speed": 7},
     "at": "2026-01-26T00:00:00Z"},
    {"type": "ChooseUniqueFactor", "canvas": "cv-shop", "factor": "care", "at": "2026-01-26T00:01:00Z"},
    *({"type": "RecordFeedback", "feedback_id": f"fb-rate-{n}", "client": "shop", "kind": "rating", "channel": "app",
       "text": "Rated", "rating": rating, "team": "delivery", "occurred_at": "2026-01-22T10:00:00Z",
       "at": "2026-01-22T10:00:00Z"} for n, rating in enumerate((10, 9, 3))),
    {"type": "RecordFeedback", "feedback_id": "fb-shop-old", "client": "shop", "kind": "complaint", "channel": "phone",
     "text": "Lost parcel", "team": "delivery", "occurred_at": "2026-01-10T10:00:00Z", "at": "2026-01-10T10:00:00Z"},
    {"type": "ResolveFeedback", "feedback_id": "fb-shop-old", "resolution": "Found and delivered",
     "at": "2026-01-11T10:00:00Z"},
    {"type": "DrawStrategyCanvas", "canvas": "cv-mall", "client": "mall", "team": "delivery", "factors": FACTORS,
     "at": "2026-01-20T00:00:00Z"},  # delivery becomes concerned with mall only then
]
_MANY = [{"type": "IdentifyClient", "client": f"zz-{n:03d}", "name": f"Bulk {n}", "kind": "external",
          "at": "2026-01-02T00:00:00Z"} for n in range(101)]  # two pages of clients; keys after the others'
_CAPPED = [  # more pains and offerings than a client's answer lists (its cost bound): mall's
    *({"type": "RecordPain", "client": "mall", "pain": f"pain-{n:03d}", "description": f"Pain {n}",
       **({"severity": 1 + n % 5} if n else {}), "at": "2026-01-21T00:00:00Z"} for n in range(101)),
    *({"type": "ScoreOffering", "canvas": "cv-mall", "offering": f"o-{n:03d}", "scores": {"price": n % 11},
       "at": "2026-01-21T00:00:00Z"} for n in range(101))]
COMPANY = [*LINES, *({"id": f"c{n}", **line} for n, line in enumerate([*_STEPS, *_MANY, *_CAPPED]))]


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"clients-{request.param}"), COMPANY, TOKENS) as server:
        yield server


def get(served: Served, person: str, path: str) -> tuple[int, Any]:
    return served.api("GET", path, person)


def test_the_councils_answer_is_client_show_with_steps_1_to_4(served: Served) -> None:
    status, shop = get(served, "cora", "/api/clients/shop")
    assert status == 200 and "redacted" not in shop
    shown = run_cli("client", "show", "shop", "--json", "--views", str(served.folder / "cli.duckdb"),
                    store=served.store, check=True)
    assert ageless(json.loads(shown.stdout)) == ageless(shop)
    assert (shop["client"], shop["name"], shop["kind"]) == ("shop", "Shop Owner Ltd", "external")
    assert shop["representatives"] == ["rex", "sam"]
    assert [(p["pain"], p["severity"]) for p in shop["pains"]] == [("crushed", 5), ("slow", 2), ("unrated", None)]
    assert shop["value_propositions"] == [{"proposition": "vp-shop", "team": "delivery",
                                           "statement": "Whole parcels, on time", "characteristics": ["whole",
                                                                                                      "on time"],
                                           "pains": ["crushed", "slow"]}]
    (canvas,) = shop["canvases"]
    assert (canvas["canvas"], canvas["client"], canvas["team"], canvas["factors"], canvas["unique_factor"]) == (
        "cv-shop", "shop", "delivery", FACTORS, "care")
    assert canvas["offerings"] == [{"offering": "us", "ours": True, "scores": {"price": 6, "speed": 8, "care": 9}},
                                   {"offering": "rival", "ours": False, "scores": {"price": 8, "speed": 7, "care": 3}}]
    assert [(p["promise"], p["promisor"], p["status"], p["target"], p["metric"], p["period"])
            for p in shop["promises"]] == [("p-shop", "delivery", "agreed", 90, "ontime", "week")]
    assert shop["open_complaints_count"] == 1 and shop["open_complaints"][0]["text"] == SHOP_TEXT
    (resolved,) = shop["resolved_complaints"]
    assert (resolved["feedback_id"], resolved["resolution"]) == ("fb-shop-old", "Found and delivered")
    (january,) = shop["nps_by_period"]
    assert january["period"] == "2026-01" and january["ratings"] == 3 and round(january["nps"], 6) == round(
        100 * (2 - 1) / 3, 6)


def test_a_member_of_an_unconcerned_team_reads_the_clients_personal_fields_and_texts_as_null(served: Served) -> None:
    _, concerned = get(served, "max", "/api/clients/shop")  # delivery made shop a promise
    assert concerned["name"] == "Shop Owner Ltd" and "redacted" not in concerned
    status, other = get(served, "kim", "/api/clients/shop")  # kitchen has nothing to do with shop
    assert status == 200
    assert other["name"] is None and other["description"] is None
    assert other["open_complaints"][0]["text"] is None
    assert other["open_complaints"][0]["redacted"] == ["text", "response"]
    (resolved,) = other["resolved_complaints"]  # how it was resolved is a text about the client too
    assert resolved["text"] is None and resolved["resolution"] is None
    assert resolved["redacted"] == ["text", "response", "resolution"] and resolved["resolved_at"] is not None
    assert other["redacted"] == ["description", "name", "open_complaints.response", "open_complaints.text",
                                 "resolved_complaints.resolution", "resolved_complaints.response",
                                 "resolved_complaints.text"]
    assert other["pains"] == concerned["pains"] and other["canvases"] == concerned["canvases"]  # internal: open
    assert SHOP_TEXT not in str(other) and "Shop Owner Ltd" not in str(other)
    assert "Found and delivered" not in str(other)


def test_an_external_representative_reads_their_own_client_without_its_internal_parts(served: Served) -> None:
    status, own = get(served, "rex", "/api/clients/shop")
    assert status == 200 and own["name"] == "Shop Owner Ltd"
    assert own["open_complaints"][0]["text"] == SHOP_TEXT and own["pains"][0]["pain"] == "crushed"
    assert own["value_propositions"] is None and own["canvases"] is None
    assert own["redacted"] == ["canvases", "canvases_count", "value_propositions", "value_propositions_count"]
    assert own["value_propositions_count"] is None and own["canvases_count"] is None
    status, other = get(served, "rex", "/api/clients/mall")
    assert status == 404
    assert other["error"] == get(served, "rex", "/api/clients/nowhere")[1]["error"].replace("nowhere", "mall")


def test_as_of_before_the_canvas_was_drawn_shows_none(served: Served) -> None:
    status, before = get(served, "cora", "/api/clients/shop?as_of=2026-01-24T00:00:00Z")
    assert status == 200 and before["canvases"] == [] and before["value_propositions"][0]["proposition"] == "vp-shop"
    _, between = get(served, "cora", "/api/clients/shop?as_of=2026-01-25T12:00:00Z")  # before the rescore and choice
    (canvas,) = between["canvases"]
    assert canvas["unique_factor"] is None and canvas["offerings"][1]["scores"]["speed"] == 5
    assert get(served, "cora", "/api/clients/shop?as_of=2025-12-31T00:00:00Z")[0] == 404  # not identified yet


def test_open_complaints_are_paged_with_the_whole_count(served: Served) -> None:
    status, page = get(served, "cora", "/api/clients/shop?limit=1&offset=1")
    assert status == 200 and page["open_complaints"] == [] and page["open_complaints_count"] == 1
    assert get(served, "cora", "/api/clients/shop?limit=0")[0] == 422


def test_the_cli_prints_a_client_and_fails_on_an_unknown_one(served: Served) -> None:
    views = str(served.folder / "cli.duckdb")
    shown = run_cli("client", "show", "shop", "--views", views, store=served.store, check=True)
    assert "crushed" in shown.stdout and "cv-shop" in shown.stdout and "us (ours)" in shown.stdout
    missing = run_cli("client", "show", "nowhere", "--as-of", "2026-01-01", "--views", views, store=served.store)
    assert missing.returncode == 1 and "client 'nowhere' not found" in missing.stderr


def test_a_team_concerned_only_after_the_as_of_time_reads_the_name_in_no_answer_as_of_then(served: Served) -> None:
    """The teams concerned are one definition as of the asked time: the list, the page and the client agree."""
    before, now = "?as_of=2026-01-15T00:00:00Z", ""
    for as_of, name in ((before, None), (now, "Mall Person")):
        _, listed = get(served, "max", f"/api/clients{as_of}")
        assert [item["name"] for item in listed["items"] if item["key"] == "mall"] == [name], as_of
        assert get(served, "max", f"/api/clients/mall{as_of}")[1]["name"] == name, as_of
        for path in (f"/clients{as_of}", f"/clients/mall{as_of}"):
            page = served.page("max", path)
            assert page.status_code == 200 and ("Mall Person" in page.text) == (name is not None), path


def test_the_clients_page_is_the_clients_list_paged_with_its_total(served: Served) -> None:
    for offset in (0, 100):
        _, listed = get(served, "max", f"/api/clients?offset={offset}")
        page = served.page("max", f"/clients?offset={offset}")
        keys = re.findall(r'<li><a href="/clients/([^"?]+)', page.text)
        assert keys == [item["key"] for item in listed["items"]] and len(keys) == min(100, listed["total"] - offset)
        assert f"({listed['total']})" in page.text
        assert ("Next clients" in page.text) == (listed["next_offset"] is not None)
        assert ("Previous clients" in page.text) == (offset > 0)


def test_a_clients_lists_are_capped_with_their_true_counts(served: Served) -> None:
    _, mall = get(served, "cora", "/api/clients/mall")
    assert mall["pains_count"] == 101 and len(mall["pains"]) == 100
    assert "pain-000" not in [p["pain"] for p in mall["pains"]]  # the unrated one: least severe, left out
    assert [p["severity"] for p in mall["pains"]] == sorted((p["severity"] for p in mall["pains"]), reverse=True)
    (canvas,) = mall["canvases"]
    assert mall["canvases_count"] == 1 and canvas["offerings_count"] == 101
    assert [o["offering"] for o in canvas["offerings"]] == [f"o-{n:03d}" for n in range(100)]  # first scored first
    assert mall["promises_count"] == len(mall["promises"]) == 1
    assert mall["value_propositions_count"] == 0 and mall["value_propositions"] == []
    page = served.page("cora", "/clients/mall").text
    assert "The first 100 of 101 are listed." in page and "The chart draws the first 12 of 101 offerings" in page
    assert "The first 100 of 101 offerings are listed." in page
