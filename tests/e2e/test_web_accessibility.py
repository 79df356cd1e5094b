"""docs/brief.md §8: every workspace page has no serious or critical axe-core (WCAG 2.1 A/AA) violation, on a
laptop's width and on a 390-pixel phone's: a lead's and a client representative's start page, a team page,
a promise page and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, sign_in

pytestmark = pytest.mark.processes  # a server, a browser


@pytest.mark.parametrize(("person", "path"), [
    ("lena", "/"), ("rosa", "/"), ("lena", "/teams/delivery"), ("cora", "/audit"), ("cora", "/promises/p-cafe-lunch"),
    ("lena", "/experiments/exp-hot-boxes"), ("lena", "/retro?team=delivery&from=2026-01-01&to=2026-03-31"),
    ("lena", "/teams/deliveri"),  # the not-found page
])
def test_pages_have_no_serious_accessibility_violation(browser: Any, served: Served, person: str,
                                                       path: str) -> None:
    context, page = sign_in(browser, served, person)
    try:
        assert_accessible_at(page, served.url(path), f"{path} as {person}")
    finally:
        context.close()


def test_the_sign_in_page_has_no_serious_accessibility_violation(browser: Any, served: Served) -> None:
    context = browser.new_context()
    try:
        assert_accessible_at(context.new_page(), served.url("/login"), "/login")
    finally:
        context.close()
