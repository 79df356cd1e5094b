"""docs/brief.md §8: when a token was last used, against a real server (SQLite, then PostgreSQL): a request with
a new token sets its ``last_used`` in ``GET /api/tokens``, a second request within the minute does not write it
again, and signing in with it in a browser shows it in the start page's token list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.browser import Served

pytestmark = pytest.mark.processes  # a server and a browser


def _mine(served: Served, token: str, token_id: str) -> dict[str, Any]:
    with httpx.Client(base_url=served.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        answer = http.get("/api/tokens")
    assert answer.status_code == 200, answer.text
    (item,) = [item for item in answer.json()["items"] if item["token_id"] == token_id]
    return item  # type: ignore[no-any-return]


def test_a_request_sets_last_used_and_a_second_within_the_minute_does_not_write(served: Served) -> None:
    status, issued = served.api("POST", "/api/tokens", "kim", {"scope": "read", "expires_days": 1})
    assert status == 201, issued
    status, listed = served.api("GET", "/api/tokens", "kim")
    (fresh,) = [item for item in listed["items"] if item["token_id"] == issued["token_id"]]
    assert fresh["last_used"] is None  # never used yet
    first = _mine(served, issued["token"], issued["token_id"])["last_used"]
    assert abs(datetime.fromisoformat(first) - datetime.now(UTC)) < timedelta(minutes=1)
    assert _mine(served, issued["token"], issued["token_id"])["last_used"] == first  # no second write


def test_signing_in_shows_the_use_on_the_start_page(browser: Any, served: Served) -> None:
    status, issued = served.api("POST", "/api/tokens", "max", {"scope": "read", "expires_days": 1})
    assert status == 201, issued
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.goto(served.url("/login"))
        page.get_by_label("Token").fill(issued["token"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(served.url("/"))
        cell = page.locator(f"#tokens tr[data-token='{issued['token_id']}'] td[data-label='last used']")
        shown = cell.inner_text()
        assert shown != "never" and shown.endswith(" UTC")
        assert abs(datetime.strptime(shown, "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC) - datetime.now(UTC)) \
            < timedelta(minutes=2)
    finally:
        context.close()
