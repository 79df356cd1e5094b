"""docs/brief.md §8 "Lists" and `--version`: `clientocracy list KIND` and `GET /api/KIND` on a real server over
SQLite and PostgreSQL, paged, as of a time, and as the read rules (§10) let each person see them, for the
company of ``tests.support.read_company``."""

from __future__ import annotations

import json
import subprocess
import tomllib
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import Served, serving
from tests.support.cli import CLI, run_cli
from tests.support.read_company import LINES, PEOPLE, TOKENS
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server and the real CLI


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"lists-{request.param}"), LINES, TOKENS) as server:
        yield server


def listed(served: Served, person: str, path: str) -> Any:
    status, answer = served.api("GET", path, person)
    assert status == 200, answer
    return answer


def keys(answer: dict[str, Any]) -> list[str]:
    return [item["key"] for item in answer["items"]]


def cli_list(served: Served, *args: str) -> Any:
    shown = run_cli("list", *args, "--json", "--views", str(served.folder / "cli.duckdb"), store=served.store,
                    check=True)
    return json.loads(shown.stdout)


def test_the_council_lists_everything_by_key_with_names_and_statuses(served: Served) -> None:
    promises = listed(served, "cora", "/api/promises")
    assert promises["total"] == 3 and promises["next_offset"] is None
    assert [(p["key"], p["name"], p["status"]) for p in promises["items"]] == [
        ("p-inside", "Pick-ups on time", "proposed"), ("p-mall", "Warm food for the mall", "agreed"),
        ("p-shop", "Parcels reach the shop on time", "agreed")]
    assert keys(listed(served, "cora", "/api/teams")) == ["delivery", "kitchen"]
    (experiment,) = listed(served, "cora", "/api/experiments")["items"]
    assert (experiment["key"], experiment["name"], experiment["status"]) == ("exp-boxes", "Boxes help", "proposed")
    clients = listed(served, "cora", "/api/clients")["items"]
    assert [(c["key"], c["name"]) for c in clients] == [("mall", "Mall Person"), ("shop", "Shop Owner Ltd")]
    people = listed(served, "cora", "/api/people")
    assert {p["key"]: p["name"] for p in people["items"]} == PEOPLE and people["total"] == len(PEOPLE)


def test_the_cli_lists_what_the_council_reads_through_the_api(served: Served) -> None:
    for kind in ("teams", "promises", "experiments", "clients", "people"):
        assert cli_list(served, kind) == listed(served, "cora", f"/api/{kind}"), kind
    assert cli_list(served, "people", "--limit", "3", "--offset", "3") == listed(
        served, "cora", "/api/people?limit=3&offset=3")
    text = run_cli("list", "promises", "--views", str(served.folder / "cli.duckdb"), store=served.store, check=True)
    assert "Warm food for the mall" in text.stdout and "1-3 of 3" in text.stdout


def test_lists_are_paged_by_limit_and_offset(served: Served) -> None:
    first = listed(served, "cora", "/api/people?limit=3")
    assert keys(first) == ["cora", "desk", "kim"] and first["total"] == 8 and first["next_offset"] == 3
    second = listed(served, "cora", f"/api/people?limit=3&offset={first['next_offset']}")
    assert keys(second) == ["lena", "max", "mia"] and second["next_offset"] == 6
    last = listed(served, "cora", "/api/people?limit=3&offset=6")
    assert keys(last) == ["rex", "sam"] and last["next_offset"] is None and last["total"] == 8
    beyond = listed(served, "cora", "/api/people?offset=50")
    assert beyond == {"items": [], "total": 8, "next_offset": None}
    for bad in ("limit=0", "limit=1001", "offset=-1", "limit=x"):
        status, answer = served.api("GET", f"/api/teams?{bad}", "cora")
        assert status == 422 and "error" in answer, bad
    refused = run_cli("list", "teams", "--limit", "1001", store=served.store)
    assert refused.returncode == 2 and "--limit" in refused.stderr and "1000" in refused.stderr


def test_lists_as_of_a_time_hold_what_existed_then(served: Served) -> None:
    assert listed(served, "cora", "/api/experiments?as_of=2026-01-10")["total"] == 0
    assert listed(served, "cora", "/api/experiments?as_of=2026-01-22")["total"] == 1
    assert listed(served, "cora", "/api/teams?as_of=2025-12-31") == {"items": [], "total": 0, "next_offset": None}
    assert cli_list(served, "experiments", "--as-of", "2026-01-10")["total"] == 0
    status, answer = served.api("GET", "/api/teams?as_of=yesterday", "cora")
    assert status == 422 and "as_of" in answer["error"]


def test_an_external_client_lists_their_clients_the_promises_to_them_and_the_team_names(served: Served) -> None:
    assert keys(listed(served, "rex", "/api/teams")) == ["delivery", "kitchen"]
    clients = listed(served, "rex", "/api/clients")
    assert clients["items"] == [{"key": "shop", "name": "Shop Owner Ltd", "kind": "external"}]
    assert clients["total"] == 1
    promises = listed(served, "rex", "/api/promises")
    assert keys(promises) == ["p-shop"] and promises["total"] == 1
    assert listed(served, "rex", "/api/experiments") == {"items": [], "total": 0, "next_offset": None}
    assert listed(served, "rex", "/api/people")["items"] == [{"key": "rex", "name": "Rex Shopkeeper"}]
    assert keys(listed(served, "mia", "/api/clients")) == ["mall"]


def test_a_clients_name_is_for_the_teams_concerned_its_representatives_and_the_council(served: Served) -> None:
    as_delivery = {c["key"]: c for c in listed(served, "max", "/api/clients")["items"]}
    assert as_delivery["shop"]["name"] == "Shop Owner Ltd" and "redacted" not in as_delivery["shop"]
    assert as_delivery["mall"]["name"] is None and as_delivery["mall"]["redacted"] == ["name"]  # not delivery's
    as_kitchen = {c["key"]: c for c in listed(served, "kim", "/api/clients")["items"]}
    assert as_kitchen["mall"]["name"] == "Mall Person" and as_kitchen["shop"]["name"] is None
    as_sam = {c["key"]: c["name"] for c in listed(served, "sam", "/api/clients")["items"]}
    assert as_sam == {"shop": "Shop Owner Ltd", "mall": "Mall Person"}  # shop's representative, in kitchen


def test_the_version_comes_from_the_installed_package() -> None:
    shown = subprocess.run([*CLI, "--version"], capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout == f"clientocracy {version('clientocracy-ledger')}\n" and shown.stderr == ""


def test_a_checkout_never_installed_tells_the_version_its_pyproject_declares(monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import version as versions

    declared = tomllib.loads((Path(versions.__file__).parent.parent / "pyproject.toml").read_text())["project"]
    monkeypatch.setattr(versions, "DISTRIBUTION", "clientocracy-ledger-never-installed")
    assert versions.package_version() == f"{declared['version']} (not installed)"
