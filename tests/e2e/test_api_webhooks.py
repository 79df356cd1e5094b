"""docs/brief.md §9: the council manages webhook endpoints through the API (POST answers the secret once; GET never
shows it; DELETE removes), others are refused, and a bad URL is a 422 naming why; against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.cli import import_lines, issue
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = pytest.mark.processes  # a real server

SEED = Scenario().person("carol").council("carol").person("ivan").team("kitchen").member("ivan", "cook").lines()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("webhooks")
    store = f"sqlite:///{folder / 'ledger.db'}"
    import_lines(store, SEED)
    tokens = {name: issue(store, name)["token"] for name in ("carol", "ivan")}
    tokens["carol-read"] = issue(store, "carol", "--scope", "read")["token"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLIENTOCRACY_ALLOW_PRIVATE_WEBHOOKS", "1")
        server = ServerProcess(store, folder / "views.duckdb", folder / "server.log")
    try:
        yield {"server": server, "tokens": tokens}
    finally:
        server.stop()


def call(served: dict[str, Any], who: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with served["server"].client(served["tokens"][who] if who else None) as http:
        return http.request(method, path, **kwargs)


def test_the_council_adds_reads_lists_and_removes_an_endpoint(served: dict[str, Any]) -> None:
    added = call(served, "carol", "POST", "/api/webhooks",
                 json={"url": "http://127.0.0.1:9/hook/key", "team": "kitchen", "kinds": ["promise_missed"]})
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["secret"].startswith("whsec_") and body["team"] == "kitchen" and body["state"] == "active"
    one = call(served, "carol-read", "GET", f"/api/webhooks/{body['id']}")
    assert one.status_code == 200 and "secret" not in one.json() and one.json()["kinds"] == ["promise_missed"]
    listed = call(served, "carol", "GET", "/api/webhooks").json()["items"]
    assert body["id"] in [e["id"] for e in listed] and body["secret"] not in str(listed)
    assert one.json()["url"] == "http://127.0.0.1:9/…" and "key" not in str(listed)  # a path can be a secret
    assert call(served, "carol", "DELETE", f"/api/webhooks/{body['id']}").status_code == 204
    assert call(served, "carol", "GET", f"/api/webhooks/{body['id']}").status_code == 404
    assert call(served, "carol", "DELETE", f"/api/webhooks/{body['id']}").status_code == 404


def test_only_the_council_manages_and_sees_webhooks(served: dict[str, Any]) -> None:
    hook = {"url": "http://127.0.0.1:9/hook"}
    refused = call(served, "ivan", "POST", "/api/webhooks", json=hook)
    assert refused.status_code == 403 and refused.json()["rule"] == "webhooks: the council"
    added = call(served, "carol", "POST", "/api/webhooks", json=hook).json()
    assert call(served, "ivan", "GET", "/api/webhooks").json() == {"items": []}  # sees none
    assert call(served, "ivan", "GET", f"/api/webhooks/{added['id']}").status_code == 404
    assert call(served, "ivan", "DELETE", f"/api/webhooks/{added['id']}").status_code == 404
    assert call(served, "carol", "GET", f"/api/webhooks/{added['id']}").status_code == 200
    assert call(served, "carol-read", "POST", "/api/webhooks", json=hook).status_code == 403
    assert call(served, None, "GET", "/api/webhooks").status_code == 401


@pytest.mark.parametrize("url, reason", [("ftp://example.com/x", "url"),
                                         ("http://no-such-host.invalid/x", "does not resolve")])
def test_a_bad_url_is_refused_naming_why(served: dict[str, Any], url: str, reason: str) -> None:
    answer = call(served, "carol", "POST", "/api/webhooks", json={"url": url})
    assert answer.status_code == 422 and reason in answer.json()["error"]


def test_the_document_declares_every_status(served: dict[str, Any]) -> None:
    document = call(served, None, "GET", "/api/openapi.json").json()
    operations = document["paths"]["/api/webhooks/{endpoint_id}"]
    assert {"200", "401", "403", "404", "422"} <= set(operations["get"]["responses"])
    assert {"204", "401", "403", "404"} <= set(operations["delete"]["responses"])
    assert {"201", "401", "403", "422"} <= set(document["paths"]["/api/webhooks"]["post"]["responses"])
