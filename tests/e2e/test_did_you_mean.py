"""docs/brief.md §8: an unknown key names the nearest known ones ("did you mean …") in the CLI, the API's 404 and
the pages' not-found page; §10: a key the reader may not see is never suggested. On a real server over SQLite
and PostgreSQL, for the company of ``tests.support.read_company`` (``rex`` represents ``shop`` only)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import Served, serving
from tests.support.cli import run_cli
from tests.support.read_company import LINES, TOKENS
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server and the real CLI
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"near-{request.param}"), LINES, TOKENS) as server:
        yield server


def show(served: Served, kind: str, key: str) -> tuple[int, str]:
    shown = run_cli(kind, "show", key, "--json", "--views", str(served.folder / "cli.duckdb"), store=served.store)
    assert shown.stdout == ""
    return shown.returncode, shown.stderr.strip()


def test_the_cli_names_the_nearest_keys_of_the_kind(served: Served) -> None:
    assert show(served, "team", "delivry") == (1, "team 'delivry' not found; did you mean 'delivery'?")
    assert show(served, "promise", "p-shp") == (1, "promise 'p-shp' not found; did you mean 'p-shop'?")
    assert show(served, "experiment", "EXP-BOXES") == (
        1, "experiment 'EXP-BOXES' not found; did you mean 'exp-boxes'?")  # lookups stay exact
    assert show(served, "team", "warehouse") == (1, "team 'warehouse' not found")  # nothing near: no guess
    as_of = run_cli("team", "show", "kitchn", "--as-of", "2025-12-01", store=served.store,
                    views=served.folder / "cli.duckdb")
    assert as_of.stderr.strip() == "team 'kitchn' not found as of 2025-12-01"  # no team existed then


def test_the_api_404_keeps_its_error_and_adds_the_keys_the_reader_may_see(served: Served) -> None:
    status, answer = served.api("GET", "/api/teams/kitchn", "max")
    assert status == 404 and answer == {"error": "team 'kitchn' not found; did you mean 'kitchen'?",
                                        "did_you_mean": ["kitchen"]}
    assert served.api("GET", "/api/teams/kitchn?limit=5", "max") == (404, answer)  # the paged road too
    assert served.api("GET", "/api/promises/p-shp", "rex")[1]["did_you_mean"] == ["p-shop"]
    assert served.api("GET", "/api/promises/p-mal", "cora")[1]["did_you_mean"] == ["p-mall"]
    status, hidden = served.api("GET", "/api/promises/p-mal", "rex")  # p-mall is made to another client
    assert status == 404 and hidden == {"error": "promise 'p-mal' not found", "did_you_mean": []}
    status, unknown = served.api("GET", "/api/experiments/exp-box", "lena")
    assert status == 404 and unknown["did_you_mean"] == ["exp-boxes"]


def test_a_retrospectives_unknown_team_names_the_nearest_too(served: Served) -> None:
    told = run_cli("retro", "--team", "delivry", "--team", "kitchen", "--from", "2026-01-01", "--to", "2026-02-01",
                   store=served.store, views=served.folder / "cli.duckdb", cwd=served.folder)
    assert (told.returncode, told.stderr.strip()) == (1, "unknown team(s): delivry (did you mean 'delivery'?)")
    status, answer = served.api("GET", "/api/retro?team=kitchn&team=zzz&from=2026-01-01&to=2026-02-01", "max")
    assert (status, answer) == (404, {"error": "unknown team(s): kitchn (did you mean 'kitchen'?), zzz"})
    shown = page(served, "max", "/retro?team=kitchn&from=2026-01-01&to=2026-02-01")
    assert "unknown team(s): kitchn (did you mean &#39;kitchen&#39;?)" in shown.text


def page(served: Served, person: str, path: str) -> httpx.Response:
    with httpx.Client(base_url=served.base_url, follow_redirects=False, timeout=30) as client:
        form = CSRF.search(client.get("/login").text)
        assert form
        signed = client.post("/login", data={"token": served.tokens[person], "csrf_token": form.group(1),
                                             "next": "/"})
        assert signed.status_code == 303, signed.text
        return client.get(path)


def test_the_not_found_page_links_the_nearest_keys_the_person_may_see(served: Served) -> None:
    shown = page(served, "rex", "/promises/p-shp")
    assert shown.status_code == 404 and "There is no promise" in shown.text
    assert 'Did you mean <a href="/promises/p-shop">p-shop</a>?' in shown.text
    hidden = page(served, "rex", "/promises/p-mal")
    assert hidden.status_code == 404 and "p-mall" not in hidden.text and "Did you mean" not in hidden.text
    past = page(served, "lena", "/teams/delivry?as_of=2026-02-01")
    assert past.status_code == 404 and '<a href="/teams/delivery?as_of=2026-02-01">delivery</a>' in past.text
    assert 'href="/teams/kitchen"' in page(served, "kim", "/teams/kitchenn/complaints").text
