"""The browser tests' real pieces: a `clientocracy serve` process on a free loopback port over a store
filled by import, tokens issued by the CLI, and Debian's chromium driven by Playwright.

Never `playwright install`: the browser is the system's /usr/bin/chromium (`.ci/run` installs it).
One server per store kind and one browser serve the whole session to keep the suite quick; the
``served`` and ``browser`` fixtures (``tests/conftest.py``) start them with ``start_server`` and ``chromium``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import CLI, jsonl, run_cli
from tests.support.ports import free_port
from tests.support.stores import store_of

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass
class Served:
    """A running server: where it listens, its store and views, and a write token per person."""

    base_url: str
    store: str
    views: Path
    folder: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def api(self, method: str, path: str, person: str, body: Any = None) -> tuple[int, Any]:
        """Call the JSON API as ``person`` (bearer token)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url(path), data=data, method=method, headers={
            "Authorization": f"Bearer {self.tokens[person]}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    @contextmanager
    def session(self, person: str) -> Iterator[httpx.Client]:
        """An HTTP client signed in as ``person`` through the /login form (no browser), redirects not followed."""
        with httpx.Client(base_url=self.base_url, follow_redirects=False, timeout=60) as client:
            found = _CSRF.search(client.get("/login").text)
            assert found, "no CSRF token on /login"
            signed = client.post("/login", data={"token": self.tokens[person], "csrf_token": found.group(1),
                                                 "next": "/"})
            assert signed.status_code == 303, signed.text
            yield client

    def page(self, person: str, path: str) -> httpx.Response:
        """GET a workspace page as ``person``, signed in through the /login form (no browser)."""
        with self.session(person) as client:
            return client.get(path)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def issue_tokens(store: str, people: dict[str, str]) -> dict[str, str]:
    """A token per person: the first through `clientocracy token issue` as a user does, the rest through
    the same function in this process (a CLI start per person would double the fixture's time)."""
    from domain.service.ledger import Ledger
    from domain.service.tokens import issue_token

    first, *others = people
    result = run_cli("token", "issue", first, "--scope", people[first], "--json", store=store, check=True)
    tokens = {first: str(json.loads(result.stdout)["token"])}
    ledger = Ledger.open(store)
    try:
        tokens.update({person: issue_token(ledger, person, people[person]).token for person in others})
    finally:
        ledger.close()
    return tokens


def start_server(folder: Path, store: str, lines: list[dict[str, Any]], people: dict[str, str]) -> Served:
    """Import ``lines``, issue a token per person (``{person: scope}``) and start `clientocracy serve`."""
    run_cli("import", "-", store=store, stdin=jsonl(lines), check=True)
    tokens = issue_tokens(store, people)
    views, port = folder / "views.duckdb", free_port()
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen([*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", store,
                                "--views", str(views)], stdout=log, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", store, views, folder, process, tokens)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(served.url("/api/health"), timeout=2) as answer:
                if answer.status == 200:
                    return served
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(served)
            raise AssertionError(f"serve did not start: {(folder / 'serve.log').read_text()[-3000:]}")
        time.sleep(0.1)


@contextmanager
def serving(kind: str, folder: Path, lines: list[dict[str, Any]], people: dict[str, str]) -> Iterator[Served]:
    """A fresh store of ``kind`` ("sqlite" or "postgres") holding ``lines``, served until the block ends."""
    with store_of(kind, folder) as store:
        served = start_server(folder, store, lines, people)
        try:
            yield served
        finally:
            stop_server(served)


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright (skips where it is missing, fails so in CI)."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(browser: Any, served: Served, person: str) -> tuple[Any, Any]:
    """A fresh browser context signed in as ``person`` through the /login form; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(served.url("/login"))
    page.get_by_label("Token").fill(served.tokens[person])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(served.url("/"))
    return context, page
