"""docs/brief.md §8 "phones": on a 390×844 phone the server-drawn charts of the team page and the retrospective
shrink to the screen, and their text still reads: every chart label is drawn at least 9 pixels tall (it was
about 4 when a 720-unit drawing shrank to ~350 pixels). The pages stay axe-core clean and need no sideways
scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.axe import assert_accessible_at
from tests.support.browser import Served, sign_in

pytestmark = pytest.mark.processes  # a server and a browser

PHONE = {"phone": (390, 844)}
# per chart label: its text, its box's height, and its font size in screen pixels (font size × the drawing's scale)
LABELS = """() => [...document.querySelectorAll('figure svg text')].map(t => {
  const box = t.getBoundingClientRect(), m = t.getScreenCTM();
  return [t.textContent, box.height, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)];
}).filter(([, height]) => height > 0)"""


@pytest.mark.parametrize("path", ["/teams/delivery", "/retro?team=delivery&from=2026-01-01&to=2026-03-31"])
def test_chart_labels_read_at_least_9_pixels_on_a_phone(browser: Any, served: Served, path: str) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        assert_accessible_at(page, served.url(path), f"{path} as lena", PHONE)
        labels = page.evaluate(LABELS)
        assert len(labels) >= 10, labels  # the page has charts with labels
        small = [(text, round(height, 1), round(size, 1)) for text, height, size in labels if height < 9 or size < 9]
        assert small == [], small
    finally:
        context.close()
