"""Webhook endpoints in their own tables of every store: added with a secret shown once and kept sealed, bad URLs
refused with the reason, removed with their key; deliveries claimed by one claimer at a time."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from domain.stores.common import opened_recorder
from domain.stores.webhook_tables import DeliveryRow, webhooks_in
from notifications.webhooks.addresses import ALLOW_PRIVATE, RefusedUrl
from notifications.webhooks.endpoints import add_endpoint, endpoints, remove_endpoint, signing_key
from tests.support.cli import run_cli


@pytest.fixture(autouse=True)
def _private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


def test_an_endpoint_keeps_its_secret_sealed_and_loses_it_when_removed(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store:
        endpoint, secret = add_endpoint(store, "http://127.0.0.1:9/hook", "ops", ["promise_missed"], "slack")
        assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
        tables = webhooks_in(store)
        (row,) = tables.endpoints()
        assert secret not in json.dumps(row) and row.secret.startswith("enc:v1:webhook:")
        assert signing_key(store, row) == base64.b64decode(secret[6:])
        assert [e.to_dict()["kinds"] for e in endpoints(tables)] == [["promise_missed"]]
        assert endpoint.wants("promise_missed", frozenset({"ops"})) and not endpoint.wants("promise_missed",
                                                                                          frozenset({"sales"}))
        remove_endpoint(store, endpoint.id)
        assert endpoints(tables) == [] and tables.endpoints()[0].secret == ""
        assert store.subject_keys([f"webhook:{endpoint.id}"]) == {}


def test_one_claimer_gets_a_due_delivery_and_an_expired_lease_frees_it(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store:
        tables = webhooks_in(store)
        row = DeliveryRow("msg_1", "whe_1", "sig_1", "k", "pending", "{}", 100.0, 100.0, 0.0, 0, None, None)
        tables.add_deliveries([row, row._replace(id="msg_2", next_at=500.0)])
        tables.add_deliveries([row])  # already there: nothing changes
        assert [d.id for d in tables.claim({"whe_1": 10}, 200.0, 260.0)] == ["msg_1"]
        assert tables.claim({"whe_1": 10}, 210.0, 270.0) == []  # leased
        (again,) = tables.claim({"whe_1": 10}, 261.0, 300.0)  # the claimer died: the lease ran out
        assert again.attempts == 2
        _, attempts = tables.deliveries(10)[-1]
        assert [a.outcome for a in attempts] == ["interrupted", "in_flight"]


@pytest.mark.processes
@pytest.mark.parametrize("url, reason", [
    ("ftp://example.com/x", "is not http(s)"),
    ("http://no-such-host.invalid/x", "does not resolve"),
    ("http://127.0.0.1:8080/x", "loopback or private"),
    ("http://10.1.2.3/x", "loopback or private"),
    ("http://[::1]/x", "loopback or private"),
])
def test_webhook_add_refuses_a_bad_url_naming_why(url: str, reason: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE)
    result = run_cli("webhook", "add", url, store=f"sqlite:///{tmp_path / 'l.db'}")
    assert result.returncode == 2 and reason in result.stderr and "Traceback" not in result.stderr


def test_a_private_address_is_refused_without_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from notifications.webhooks.addresses import resolve

    monkeypatch.delenv(ALLOW_PRIVATE)
    with pytest.raises(RefusedUrl, match=r"192\.168\.1\.1"):
        resolve("https://192.168.1.1/hook")


@pytest.mark.processes
def test_the_cli_adds_lists_and_removes(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'l.db'}"
    added = run_cli("webhook", "add", "http://127.0.0.1:9/h", "--team", "ops", "--kinds", "a_b,c", "--json",
                    store=store, check=True)
    shown = json.loads(added.stdout)
    assert shown["secret"].startswith("whsec_") and shown["kinds"] == ["a_b", "c"] and shown["team"] == "ops"
    listed = json.loads(run_cli("webhook", "list", "--json", store=store, check=True).stdout)
    assert [e["id"] for e in listed["items"]] == [shown["id"]] and "secret" not in listed["items"][0]
    assert shown["secret"][6:] not in (tmp_path / "l.db").read_bytes().decode("latin-1")
    run_cli("webhook", "remove", shown["id"], store=store, check=True)
    assert json.loads(run_cli("webhook", "list", "--json", store=store, check=True).stdout) == {"items": []}
    missing = run_cli("webhook", "remove", shown["id"], store=store)
    assert missing.returncode == 1 and "no webhook endpoint" in missing.stderr
    assert json.loads(run_cli("webhook", "deliveries", "--json", store=store, check=True).stdout) == {"items": []}
