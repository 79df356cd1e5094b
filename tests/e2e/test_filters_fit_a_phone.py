"""The filter forms (retrospective, audit) fit a 390-pixel phone with long team names: a flex item's automatic
minimum width once held the team list at its longest option's width, past the screen's edge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from web.templating import render

pytestmark = [pytest.mark.processes, pytest.mark.browser]

STYLE = (Path(__file__).parents[2] / "web" / "static" / "style.css").read_text(encoding="utf-8")
TEAMS = [{"team": f"team-{i}-with-a-rather-long-key", "name": f"Home delivery and click-and-collect {i}"}
         for i in range(3)]


def test_the_retrospective_filters_fit_a_phone(browser: Any) -> None:
    body = render("retro.html", title="Retrospective", show_as_of=False, me=None, csrf_token="", crumbs=(),
                  notices=(), all_teams=TEAMS, chosen=[], start="2026-01-01", end="2026-03-31", retros=[],
                  error=None, link=lambda path, **_: path)
    html = body.replace('<link rel="stylesheet" href="/static/style.css">', f"<style>{STYLE}</style>")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.set_content(html)
        assert page.locator("#retro-team option").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("#retro-team").bounding_box()["width"] <= 390  # type: ignore[index]
    finally:
        page.close()
