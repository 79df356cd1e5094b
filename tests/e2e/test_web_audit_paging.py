"""The audit page shows the trail 50 events at a time, newest first, with "Older events" / "Newer events" links
that keep the filters; it fits a 390-pixel phone (it once listed 500 rows, 80,000 px tall, 526 px wide)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, sign_in

pytestmark = pytest.mark.processes  # a server, a browser


def positions(page: Any) -> list[int]:
    return [int(t) for t in page.locator("table.stack tbody td[data-label='#']").all_inner_texts()]


def test_the_audit_trail_is_paged_newest_first_and_the_links_keep_the_filters(browser: Any, served: Served) -> None:
    status, trail = served.api("GET", "/api/audit?limit=1", "cora")
    assert status == 200 and trail["total"] > 50, trail["total"]  # the test company has more than a page
    total = trail["total"]
    context, page = sign_in(browser, served, "cora")
    try:
        page.goto(served.url("/audit"))
        first = positions(page)
        assert len(first) == 50 and first == sorted(first, reverse=True)
        assert page.get_by_text(f"Newest first: 1–50 of {total}.").is_visible()
        assert page.get_by_role("link", name="Newer events").count() == 0
        page.get_by_role("link", name="Older events").click()
        page.wait_for_url(re.compile(r"offset=50"))
        second = positions(page)
        assert second and max(second) < min(first) and len(second) == min(50, total - 50)
        page.get_by_role("link", name="Newer events").click()
        page.wait_for_url(served.url("/audit"))
        assert positions(page) == first
        page.goto(served.url("/audit?actor=lena"))
        older = page.get_by_role("link", name="Older events")
        if older.count():
            assert "actor=lena" in (older.get_attribute("href") or "")
    finally:
        context.close()


@pytest.mark.parametrize(("person", "path"), [("cora", "/audit"), ("cora", "/audit?offset=50"),
                                              ("lena", "/retro?team=delivery&from=2026-01-01&to=2026-03-31")])
def test_the_pages_fit_a_phone(browser: Any, served: Served, person: str, path: str) -> None:
    context, page = sign_in(browser, served, person)
    try:
        assert_accessible_at(page, served.url(path), f"{path} as {person}")
    finally:
        context.close()
