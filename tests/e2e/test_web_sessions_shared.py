"""Sessions live in the store (hashed), not in one server's memory: a browser stays signed in across a
restart, and two servers on one PostgreSQL store serve one browser alternately (docs/brief.md §10)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import issue_tokens
from tests.support.cli import run_cli
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.processes, pytest.mark.browser]


def _company(store: str) -> str:
    """A store with Lena on a team; her write token."""
    scenario = Scenario().person("lena", "Lena Lead").team("delivery").member("lena", lead=True)
    run_cli("import", "-", store=store, stdin=scenario.jsonl(), check=True)
    return issue_tokens(store, {"lena": "write"})["lena"]


@contextmanager
def _server(store: str, folder: Path, name: str) -> Iterator[ServerProcess]:
    server = ServerProcess(store, folder / f"{name}.duckdb", folder / f"{name}.log")
    try:
        yield server
    finally:
        server.stop()


def _sign_in(page: Any, server: ServerProcess, token: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/")


def _signed_in(page: Any, server: ServerProcess) -> bool:
    page.goto(server.url + "/")
    return "/login" not in page.url and "Lena Lead" in page.content()


def _session_row(store: str, key: str) -> Any:
    from domain.service.ledger import Ledger
    from domain.stores.sessions import sessions_in

    ledger = Ledger.open(store)
    try:
        return sessions_in(ledger.store).session(key)
    finally:
        ledger.close()


def test_a_signed_in_browser_stays_signed_in_across_a_restart(browser: Any, store_url: str, tmp_path: Path) -> None:
    token = _company(store_url)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    with _server(store_url, tmp_path, "views") as first:
        _sign_in(page, first, token)
        assert _signed_in(page, first)
    (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "clientocracy_session"]
    row = _session_row(store_url, hashlib.sha256(cookie.encode()).hexdigest())
    assert row is not None and row.person == "lena"  # stored by its hash
    assert _session_row(store_url, cookie) is None  # never by the cookie's value
    with _server(store_url, tmp_path, "views") as again:  # a restart: the same store and views file
        assert _signed_in(page, again)
        page.get_by_role("button", name="Sign out").click()  # a form post: its CSRF token still holds
        page.wait_for_url(again.url + "/login")
        assert not _signed_in(page, again)
    assert _session_row(store_url, hashlib.sha256(cookie.encode()).hexdigest()) is None  # sign-out deleted it
    context.close()


def test_two_servers_on_one_postgresql_store_serve_one_browser_alternately(browser: Any, postgres_url: str,
                                                                         tmp_path: Path) -> None:
    token = _company(postgres_url)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    with _server(postgres_url, tmp_path, "a") as a, _server(postgres_url, tmp_path, "b") as b:
        _sign_in(page, a, token)
        for server in (b, a, b, a):
            assert _signed_in(page, server), server.url
        page.goto(b.url + "/")
        page.get_by_role("button", name="Sign out").click()  # signed out on b ...
        page.wait_for_url(b.url + "/login")
        assert not _signed_in(page, a)  # ... is signed out on a too
    context.close()
