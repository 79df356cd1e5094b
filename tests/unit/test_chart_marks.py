"""docs/brief.md §8 "Charts": no line across periods without a reading, and kept/missed told by shape as well as
colour (a reader who cannot tell red from green, or a grey print, still sees which periods missed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from projections.rendering.charts import BLUE, GREY, compliance_chart, success_chart


def svg_of(figure: str) -> ET.Element:
    svg = ET.fromstring(figure).find("svg")
    assert svg is not None
    return svg


def row(week: int, value: float | None, kept: bool | None) -> dict[str, Any]:
    return {"period_start": f"2026-W{week:02}", "value": value, "target": 90.0, "kept": kept}


def test_the_value_line_breaks_where_periods_have_no_reading() -> None:
    rows = [row(1, 95, True), row(2, 80, False), *(row(w, None, None) for w in range(3, 38)), row(38, 93, True),
            row(39, 91, True)]
    lines = [p for p in svg_of(compliance_chart("p", rows)).iter("polyline") if p.get("stroke") == BLUE]
    assert [len((p.get("points") or "").split()) for p in lines] == [2, 2]  # before the 35 empty weeks, after them
    first_end = float((lines[0].get("points") or "").split()[-1].split(",")[0])
    second_start = float((lines[1].get("points") or "").split()[0].split(",")[0])
    assert second_start - first_end > 300  # nothing drawn across the gap


def test_kept_missed_and_in_progress_periods_have_different_shapes_and_say_so() -> None:
    figure = compliance_chart("p", [row(1, 95, True), row(2, 80, False), row(3, 85, None)])
    svg = svg_of(figure)
    marks = {(el.findtext("title") or "").rsplit(", ", 1)[-1]: (el.tag, el.get("fill") == "#fff")  # hollow: a ring
             for el in svg if el.find("title") is not None}
    assert len(set(marks.values())) == 3, marks
    assert set(marks) == {"kept", "missed", "in progress"}
    caption = ET.fromstring(figure).findtext("figcaption") or ""
    assert "cross missed" in caption and "dot kept" in caption and "gaps: no reading" in caption


def test_a_lone_period_still_shows_its_target() -> None:
    """One month of a success metric: the dashed target is a short segment at its height, not an invisible point."""
    rows = [{"period_start": "2026-12-01", "value": 97.5, "target": 90.0, "kept": True}]
    dashed = [p for p in svg_of(success_chart("m", rows)).iter("polyline") if p.get("stroke") == GREY]
    assert len(dashed) == 1
    (left, y1), (right, y2) = (tuple(map(float, point.split(","))) for point in (dashed[0].get("points") or "").split())
    assert right - left == 48 and y1 == y2
