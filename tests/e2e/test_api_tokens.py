"""docs/brief.md §10: tokens through the API (a person's own; the council's read/ingest tokens for others),
and `clientocracy token list`, against a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.cli import cli_json, import_lines, issue, run_cli
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = pytest.mark.processes  # a real server

SEED = (Scenario().person("carol").council("carol").person("ivan").person("olga").person("pia")
        .team("kitchen").member("ivan", "cook").member("olga", "chef", lead=True).lines())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("tokens")
    store = f"sqlite:///{folder / 'ledger.db'}"
    import_lines(store, SEED)
    tokens = {name: issue(store, name)["token"] for name in ("carol", "ivan", "olga")}
    tokens["ivan-read"] = issue(store, "ivan", "--scope", "read")["token"]
    tokens["olga-day"] = issue(store, "olga", "--expires", "1")["token"]
    server = ServerProcess(store, folder / "views.duckdb", folder / "server.log")
    try:
        yield {"server": server, "store": store, "tokens": tokens, "folder": folder}
    finally:
        server.stop()


def call(served: dict[str, Any], who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with served["server"].client(served["tokens"][who]) as http:
        return http.request(method, path, **kwargs)


def test_a_person_issues_uses_lists_and_revokes_their_own_token(served: dict[str, Any]) -> None:
    made = call(served, "ivan", "POST", "/api/tokens", json={"scope": "read", "expires_days": 1})
    assert made.status_code == 201, made.text
    issued = made.json()
    assert issued["person"] == "ivan" and issued["scope"] == "read" and issued["token"].startswith("clo_")
    with served["server"].client(issued["token"]) as http:
        assert http.get("/api/tokens").status_code == 200  # the new token works at once
    mine = call(served, "ivan", "GET", "/api/tokens").json()
    assert {item["person"] for item in mine["items"]} == {"ivan"}
    listed = {item["token_id"]: item for item in mine["items"]}[issued["token_id"]]
    assert listed["state"] == "active" and listed["issued_by"] == "ivan" and "token" not in listed
    assert call(served, "ivan", "DELETE", f"/api/tokens/{issued['token_id']}").status_code == 204
    with served["server"].client(issued["token"]) as http:
        assert http.get("/api/tokens").status_code == 401
    again = call(served, "ivan", "GET", "/api/tokens").json()
    assert {i["token_id"]: i for i in again["items"]}[issued["token_id"]]["state"] == "revoked"


def test_no_one_but_the_council_issues_for_another_and_never_a_write_token(served: dict[str, Any]) -> None:
    refused = call(served, "olga", "POST", "/api/tokens", json={"person": "ivan", "scope": "read"})
    assert refused.status_code == 403 and refused.json()["rule"].startswith("IssueToken")
    write = call(served, "carol", "POST", "/api/tokens", json={"person": "ivan", "scope": "write"})
    assert write.status_code == 403 and "never write" in write.json()["error"]
    ingest = call(served, "carol", "POST", "/api/tokens", json={"person": "ivan", "scope": "ingest"})
    assert ingest.status_code == 201 and ingest.json()["person"] == "ivan"
    unknown = call(served, "carol", "POST", "/api/tokens", json={"person": "nobody", "scope": "read"})
    assert unknown.status_code == 422
    read_scope = call(served, "ivan-read", "POST", "/api/tokens", json={"scope": "write"})
    assert read_scope.status_code == 403  # a read token cannot grow into a write token


def test_another_persons_token_is_not_found_except_by_the_council(served: dict[str, Any]) -> None:
    made = call(served, "olga", "POST", "/api/tokens", json={"scope": "read"}).json()
    assert call(served, "ivan", "DELETE", f"/api/tokens/{made['token_id']}").status_code == 404
    others = call(served, "ivan", "GET", "/api/tokens", params={"person": "olga"}).json()
    assert others == {"items": [], "total": 0, "next_offset": None}
    council = call(served, "carol", "GET", "/api/tokens", params={"person": "olga", "limit": 1}).json()
    assert council["total"] >= 2 and len(council["items"]) == 1 and council["next_offset"] == 1
    assert call(served, "carol", "DELETE", f"/api/tokens/{made['token_id']}").status_code == 204
    assert call(served, "carol", "DELETE", f"/api/tokens/{made['token_id']}").status_code == 422  # already revoked


def test_a_read_token_may_revoke_itself_only(served: dict[str, Any]) -> None:
    made = call(served, "ivan", "POST", "/api/tokens", json={"scope": "read"}).json()
    other = call(served, "ivan", "POST", "/api/tokens", json={"scope": "read"}).json()
    with served["server"].client(made["token"]) as http:
        assert http.delete(f"/api/tokens/{other['token_id']}").status_code == 403
        assert http.delete(f"/api/tokens/{made['token_id']}").status_code == 204


def test_token_list_on_the_command_line_shows_who_issued_and_never_a_digest(served: dict[str, Any]) -> None:
    views = served["folder"] / "cli-views.duckdb"
    listed = cli_json("token", "list", "--person", "ivan", store=served["store"], views=views)
    assert listed["total"] >= 3 and all(item["person"] == "ivan" for item in listed["items"])
    assert {item["issued_by"] for item in listed["items"]} >= {None, "ivan", "carol"}
    text = str(listed)
    assert "digest" not in text and "clo_" not in text


def test_token_list_on_the_command_line_tells_when_a_token_was_last_used(served: dict[str, Any]) -> None:
    assert call(served, "ivan-read", "GET", "/api/tokens").status_code == 200
    used = served["tokens"]["ivan-read"].split("_")[1]
    listed = cli_json("token", "list", "--person", "ivan", store=served["store"],
                      views=served["folder"] / "cli-views.duckdb")
    (item,) = [item for item in listed["items"] if item["token_id"] == used]
    assert abs(datetime.fromisoformat(item["last_used"]) - datetime.now(UTC)) < timedelta(minutes=1)
    text = run_cli("token", "list", "--person", "ivan", store=served["store"],
                   views=served["folder"] / "cli-views.duckdb", check=True).stdout
    (line,) = [line for line in text.splitlines() if line.startswith(used)]
    assert line.endswith(f"last used {item['last_used'][:16]}")


def test_a_token_issued_with_an_expiring_token_expires_no_later(served: dict[str, Any]) -> None:
    made = call(served, "olga-day", "POST", "/api/tokens", json={"scope": "write"})
    assert made.status_code == 201, made.text
    expires = datetime.fromisoformat(made.json()["expires_at"])
    assert expires <= datetime.now(UTC) + timedelta(days=1)  # not "never", nor the 30 days asked below
    longer = call(served, "olga-day", "POST", "/api/tokens", json={"scope": "read", "expires_days": 30}).json()
    assert datetime.fromisoformat(longer["expires_at"]) <= datetime.now(UTC) + timedelta(days=1)


def test_the_openapi_document_declares_the_bodies_these_operations_read(served: dict[str, Any]) -> None:
    document = call(served, "carol", "GET", "/api/openapi.json").json()
    for path, fields in (("/api/tokens", {"person", "scope", "expires_days"}), ("/api/forget", {"kind", "key"})):
        schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert fields <= set(schema["properties"]) and schema["additionalProperties"] is False, path


def test_one_person_holds_at_most_a_hundred_working_tokens(served: dict[str, Any]) -> None:
    made = [call(served, "carol", "POST", "/api/tokens", json={"person": "pia", "scope": "read"}) for _ in range(100)]
    assert all(answer.status_code == 201 for answer in made)
    refused = call(served, "carol", "POST", "/api/tokens", json={"person": "pia", "scope": "read"})
    assert refused.status_code == 422 and "100 working tokens" in refused.json()["error"]
    assert call(served, "carol", "DELETE", f"/api/tokens/{made[0].json()['token_id']}").status_code == 204
    assert call(served, "carol", "POST", "/api/tokens", json={"person": "pia", "scope": "read"}).status_code == 201
    outsider = call(served, "ivan", "POST", "/api/tokens", json={"person": "pia", "scope": "read"})
    assert outsider.status_code == 403  # the count is told only to those who may issue


@pytest.mark.parametrize("days", [True, "1", 0, -1, 3651])
def test_a_lifetime_that_is_not_a_positive_number_of_days_is_refused(served: dict[str, Any], days: Any) -> None:
    answer = call(served, "ivan", "POST", "/api/tokens", json={"scope": "read", "expires_days": days})
    assert answer.status_code == 422, answer.text  # `true` once passed as one day
    assert "expires_days" in answer.text
