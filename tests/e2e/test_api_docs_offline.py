"""`/api/docs` works offline: Swagger UI's script and style are served by the ledger itself.

The page once loaded its script from a CDN, so without the internet (or behind a strict proxy) it
stayed blank. A browser that may reach nothing but the server renders the API's operations.
"""

from __future__ import annotations

import re
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.support.browser import Served

pytestmark = pytest.mark.processes  # a server, a browser


def test_the_docs_page_references_only_its_own_server_and_each_asset_answers(served: Served) -> None:
    with urllib.request.urlopen(served.url("/api/docs"), timeout=30) as answer:
        html = answer.read().decode()
    assets = re.findall(r"""<(?:script|link)[^>]*?(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), html
    for asset in assets:
        url = urljoin(served.url("/api/docs"), asset)
        assert urlsplit(url).netloc == urlsplit(served.base_url).netloc, f"{asset} is fetched from elsewhere"
        with urllib.request.urlopen(url, timeout=30) as answer:
            assert answer.status == 200 and answer.read(), asset


def test_the_docs_render_in_a_browser_that_can_reach_only_the_server(browser: Any, served: Served) -> None:
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(served.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_server)
    try:
        page = context.new_page()
        page.goto(served.url("/api/docs"))
        page.get_by_text("/api/commands").first.wait_for(timeout=20_000)  # an operation, drawn from the document
        assert "clientocracy ledger" in page.locator(".swagger-ui .info").inner_text()
        assert elsewhere == []
    finally:
        context.close()
