"""docs/brief.md §9's ``GET /api/signals`` and ``clientocracy signals`` on a real server (SQLite and PostgreSQL):
each person sees the signals of their teams and the clients they represent (the council all), the CLI's
``--for PERSON`` answer is the API's, ``state=all`` adds cleared ones, and links start with the public URL."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import Served, serving
from tests.support.cli import CLI, run_cli
from tests.support.read_company import LINES, TOKENS
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server and the CLI

_STEPS: list[dict[str, Any]] = [  # a proposal to shop, answered after 3 days, and one still waiting
    {"type": "ProposePromise", "promise": "p-late", "promisor": "delivery", "promisee": "shop",
     "statement": "Late deliveries refunded", "metric": "ontime", "target": 95, "period": "week",
     "at": "2026-02-01T00:00:00Z"},
    {"type": "ProposePromise", "promise": "p-answered", "promisor": "delivery", "promisee": "shop",
     "statement": "Parcels insured", "metric": "ontime", "target": 99, "period": "week", "at": "2026-02-01T00:00:00Z"},
    {"type": "AgreePromise", "promise": "p-answered", "at": "2026-02-04T00:00:00Z"},
]
COMPANY = [*LINES, *({"id": f"s{n}", **line} for n, line in enumerate(_STEPS))]
AS_OF = "2026-02-10T00:00:00Z"


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"signals-{request.param}"), COMPANY, TOKENS) as server:
        yield server


def _keys(answer: dict[str, Any]) -> list[str]:
    return sorted(s["subject"]["key"] for s in answer["signals"])


def test_each_person_sees_the_signals_of_their_teams_and_represented_clients(served: Served) -> None:
    seen = {person: _keys(served.api("GET", f"/api/signals?as_of={AS_OF}", person)[1])
            for person in ("cora", "lena", "max", "kim", "sam", "rex", "mia")}
    assert seen == {"cora": ["p-inside", "p-late"], "lena": ["p-inside", "p-late"], "max": ["p-inside", "p-late"],
                    "kim": ["p-inside"], "sam": ["p-inside", "p-late"], "rex": ["p-late"], "mia": []}
    status, council = served.api("GET", f"/api/signals?as_of={AS_OF}&state=all", "cora")
    assert status == 200 and _keys(council) == ["p-answered", "p-inside", "p-late"]
    (answered,) = [s for s in council["signals"] if s["subject"]["key"] == "p-answered"]
    assert (answered["raised_at"], answered["cleared_at"]) == ("2026-02-03T00:00:00+00:00",
                                                               "2026-02-04T00:00:00+00:00")
    assert _keys(served.api("GET", f"/api/signals?as_of={AS_OF}&team=kitchen", "cora")[1]) == ["p-inside"]
    assert _keys(served.api("GET", f"/api/signals?as_of={AS_OF}&client=shop", "cora")[1]) == ["p-late"]
    assert _keys(served.api("GET", "/api/signals?as_of=2026-02-02T23:59:59Z", "rex")[1]) == []
    assert _keys(served.api("GET", "/api/signals", "rex")[1]) == ["p-late"]  # now: still waiting
    assert served.api("GET", "/api/signals?as_of=soon", "rex")[0] == 422
    assert served.api("GET", "/api/signals?state=cleared", "rex")[0] == 422


def test_the_cli_for_a_person_answers_as_the_api_does(served: Served) -> None:
    views = str(served.folder / "cli.duckdb")
    for person in ("cora", "kim", "rex"):
        shown = run_cli("signals", "--for", person, "--as-of", AS_OF, "--all", "--json", "--views", views,
                        store=served.store, check=True)
        assert json.loads(shown.stdout) == served.api("GET", f"/api/signals?as_of={AS_OF}&state=all", person)[1]
    table = run_cli("signals", "--as-of", AS_OF, "--views", views, store=served.store, check=True).stdout
    assert "Proposal waiting for an answer" in table and "promise p-late" in table and "warning" in table
    unknown = run_cli("signals", "--for", "nobody", "--views", views, store=served.store)
    assert unknown.returncode == 1 and "nobody" in unknown.stderr


def test_links_start_with_the_public_url_from_the_flag_or_the_environment(served: Served) -> None:
    views = str(served.folder / "cli.duckdb")
    flagged = run_cli("signals", "--client", "shop", "--json", "--public-url", "https://ledger.example/",
                      "--views", views, store=served.store, check=True)
    assert [s["url"] for s in json.loads(flagged.stdout)["signals"]] == ["https://ledger.example/promises/p-late"]
    env = {**os.environ, "CLIENTOCRACY_PUBLIC_URL": "https://env.example"}
    done = subprocess.run([*CLI, "signals", "--client", "shop", "--json", "--store", served.store, "--views", views],
                          capture_output=True, text=True, env=env, check=True)
    assert [s["url"] for s in json.loads(done.stdout)["signals"]] == ["https://env.example/promises/p-late"]
    assert [s["url"] for s in served.api("GET", "/api/signals?client=shop", "cora")[1]["signals"]] == [
        "/promises/p-late"]
