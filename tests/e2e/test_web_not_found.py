"""An unknown address in a browser shows the workspace's not-found page; the API keeps its JSON.

A mistyped address once showed a browser the raw ``{"error": "Not Found"}`` of the API.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.support.browser import Served, sign_in

pytestmark = pytest.mark.processes  # a server, a browser

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def fetch(served: Served, path: str, accept: str) -> tuple[int, str, str]:
    request = urllib.request.Request(served.url(path), headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["content-type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read().decode()


def test_a_signed_in_browser_gets_the_not_found_page_of_the_workspace(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        answer = page.goto(served.url("/teemz/delivery"))
        assert answer is not None and answer.status == 404
        assert page.get_by_role("alert").inner_text() == "There is no page at /teemz/delivery."
        assert page.get_by_role("link", name="Back to the start page").is_visible()
        assert page.get_by_role("button", name="Sign out").count() == 1  # the workspace's own header
    finally:
        context.close()


def test_a_browser_not_signed_in_gets_the_page_too(served: Served) -> None:
    status, kind, body = fetch(served, "/no/such/page", BROWSER_ACCEPT)
    assert (status, kind.split(";")[0]) == (404, "text/html")
    assert "There is no page at /no/such/page." in body


@pytest.mark.parametrize(("path", "accept"), [("/api/no-such-thing", BROWSER_ACCEPT), ("/no/such/page", "*/*"),
                                              ("/no/such/page", "application/json")])
def test_the_api_and_scripts_keep_json(served: Served, path: str, accept: str) -> None:
    status, kind, body = fetch(served, path, accept)
    assert (status, kind, json.loads(body)) == (404, "application/json", {"error": "Not Found"})
