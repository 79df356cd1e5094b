"""The value-curve chart as Chromium draws it inside the workspace's stylesheet: every piece of text inside the
drawing, text still about 11 pixels tall on a 390-pixel phone, no sideways scrolling, no axe-core violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from projections.rendering.canvas_chart import value_curve_svg
from scripts.sample_company_story import CANVASES
from tests.support.axe import assert_accessible

pytestmark = [pytest.mark.processes, pytest.mark.browser]

STYLE = (Path(__file__).parents[2] / "web" / "static" / "style.css").read_text(encoding="utf-8")
HARD = {  # long names, a gap, a name that is markup, many factors
    "canvas": "cv-hard", "team": "t", "unique_factor": "a-factor-name-far-too-long-for-its-column-by-any-measure",
    "factors": ["price", "a-factor-name-far-too-long-for-its-column-by-any-measure", "x", "freshness",
                *(f"factor-{i}" for i in range(8))],
    "offerings": [{"offering": "ours-with-a-name-that-goes-on-and-on-and-on-and-on-forever", "ours": True,
                   "scores": {"price": 3, "x": 9, "freshness": 10, "factor-7": 0}},
                  {"offering": "<script>alert(1)</script>", "ours": False, "scores": {"price": 8, "freshness": 2}}],
}
MEASURE = """() => [...document.querySelectorAll('svg.value-curve')].map(svg => {
  const box = svg.getBoundingClientRect(), scale = box.width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')];
  return {
    outside: texts.map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) =>
      r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      .map(([text]) => text),
    smallest_px: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
  };
})"""


def page_of(canvases: list[dict[str, Any]]) -> str:
    figures = "".join(f"<figure><figcaption>{c['canvas']}</figcaption>{value_curve_svg(c)}</figure>" for c in canvases)
    return (f"<!doctype html><html lang='en'><head><meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>canvases</title><style>{STYLE}</style></head><body><main><h1>Canvases</h1>"
            f"<section class='card'>{figures}</section></main></body></html>")


def demo_canvases() -> list[dict[str, Any]]:
    return [{"canvas": c["canvas"], "team": c["team"], "factors": c["factors"], "unique_factor": c["unique"],
             "offerings": [{"offering": o, "ours": ours, "scores": dict(zip(c["factors"], s, strict=True))}
                           for o, ours, s in c["offerings"]]} for c in CANVASES]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_label_is_inside_the_drawing_and_readable_at_a_laptops_and_a_phones_width(
        browser: Any, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.set_content(page_of([*demo_canvases(), HARD]))
        for chart in page.evaluate(MEASURE):
            assert chart["outside"] == []
            assert chart["smallest_px"] >= 10.5
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        assert_accessible(page, f"value-curve charts at {width}px")
    finally:
        page.close()
