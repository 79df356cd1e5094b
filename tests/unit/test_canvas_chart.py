"""The strategy canvas's value-curve chart (docs/brief.md §8), read back as XML: what a reader and a screen
reader get from it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import pairwise
from typing import Any

import pytest

from projections.rendering.canvas_chart import value_curve_svg
from projections.rendering.charts import nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
FACTORS = ["price", "assortment", "window-accuracy", "freshness", "app-ease", "courier-courtesy"]


def canvas(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "canvas": "canvas-home", "team": "home-delivery", "factors": FACTORS, "unique_factor": "window-accuracy",
        "offerings": [
            {"offering": "fresh", "ours": True, "scores": dict(zip(FACTORS, [6, 6, 8, 9, 7, 8], strict=True))},
            {"offering": "megamart", "ours": False, "scores": dict(zip(FACTORS, [8, 9, 5, 5, 8, 5], strict=True))},
            {"offering": "corner-shop", "ours": False,  # no score on assortment nor freshness: two gaps
             "scores": {"price": 7, "window-accuracy": 10, "app-ease": 10, "courier-courtesy": 7}},
        ],
    }
    return {**base, **changes}


def parse(c: dict[str, Any]) -> ET.Element:
    return ET.fromstring(value_curve_svg(c))


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def curves(svg: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-offering", ""): p for p in svg.iterfind(".//s:path", NS) if "curve" in p.get("class", "")}


def moves(path: ET.Element) -> list[list[tuple[float, float]]]:
    """The path's runs of connected points (a new run at each M)."""
    runs: list[list[tuple[float, float]]] = []
    for command, x, y in re.findall(r"([ML])([\d.]+),([\d.]+)", path.get("d", "")):
        if command == "M":
            runs.append([])
        runs[-1].append((float(x), float(y)))
    return runs


def factor_xs(svg: ET.Element) -> dict[str, float]:
    return {text_of(t): float(next(t.iter(f"{{{NS['s']}}}tspan")).get("x", "nan"))
            for t in svg.iterfind(".//s:text[@class='factor']", NS)}


def test_one_curve_per_offering_every_factor_labelled_and_a_title_per_point() -> None:
    svg = parse(canvas())
    assert svg.get("role") == "img"
    assert text_of(svg.find("s:title", NS)) == "Strategy canvas canvas-home of team home-delivery"  # type: ignore[arg-type]
    desc = text_of(svg.find("s:desc", NS))  # type: ignore[arg-type]
    assert "fresh (ours): price 6" in desc and "corner-shop: price 7, assortment no score" in desc
    assert sorted(curves(svg)) == ["corner-shop", "fresh", "megamart"]
    assert list(factor_xs(svg)) == FACTORS
    tips = [text_of(t) for t in svg.iterfind(".//s:*[@class='marker']/s:title", NS)]
    assert "fresh — window-accuracy: 8" in tips and "corner-shop — app-ease: 10" in tips
    assert len([t for t in tips if " — " in t]) == 6 + 6 + 4  # one per score, none for a missing one


def test_ours_is_told_by_width_colour_marker_and_legend_text() -> None:
    svg = parse(canvas())
    lines = curves(svg)
    ours, others = lines["fresh"], [lines["megamart"], lines["corner-shop"]]
    assert "ours" in ours.get("class", "") and not any("ours" in o.get("class", "") for o in others)
    assert all(float(ours.get("stroke-width", 0)) > float(o.get("stroke-width", 0)) for o in others)
    assert ours.get("stroke") not in {o.get("stroke") for o in others}
    shapes = {text_of(m.find("s:title", NS)).split(" — ")[0]: m.tag.split("}")[1]  # type: ignore[arg-type]
              for m in svg.iterfind(".//s:*[@class='marker']", NS) if " — " in text_of(m)}
    assert shapes == {"fresh": "path", "megamart": "circle", "corner-shop": "rect"}  # ours: a diamond path
    legend = [text_of(t) for t in svg.iterfind(".//s:text[@class='legend']", NS)]
    assert legend == ["fresh (ours)", "megamart", "corner-shop"]


def test_the_unique_factor_has_a_shaded_column_and_a_label_over_it() -> None:
    svg = parse(canvas())
    band = svg.find(".//s:rect[@class='unique-band']", NS)
    assert band is not None and "window-accuracy" in text_of(band)
    x = factor_xs(svg)["window-accuracy"]
    assert float(band.get("x", 0)) < x < float(band.get("x", 0)) + float(band.get("width", 0))
    label = svg.find(".//s:text[@class='unique-label']", NS)
    assert label is not None and "unique factor" in text_of(label)
    bold = [text_of(t) for t in svg.iterfind(".//s:text[@class='factor']", NS) if t.get("font-weight") == "700"]
    assert bold == ["window-accuracy"]
    assert parse(canvas(unique_factor=None)).find(".//s:rect[@class='unique-band']", NS) is None


def test_a_missing_score_is_a_gap_not_a_line_across_it() -> None:
    svg = parse(canvas())
    xs = factor_xs(svg)
    runs = moves(curves(svg)["corner-shop"])
    assert len(runs) == 3  # price | window-accuracy | app-ease, courier-courtesy
    assert [len(r) for r in runs] == [1, 1, 2]
    for run in runs:  # no segment passes over assortment or freshness
        for (x1, _), (x2, _) in pairwise(run):
            assert not x1 < xs["freshness"] < x2 and not x1 < xs["assortment"] < x2
    assert len(moves(curves(svg)["fresh"])) == 1


def test_names_from_users_are_text_never_markup() -> None:
    evil = "<script>alert('x')</script>"
    raw = value_curve_svg(canvas(canvas=evil, team='"><img src=x>', offerings=[
        {"offering": evil, "ours": True, "scores": {"price": 3}}]))
    assert "<script" not in raw and "<img" not in raw
    svg = ET.fromstring(raw)
    assert svg.find(".//s:script", NS) is None
    assert curves(svg)[evil] is not None and evil in text_of(svg.find("s:title", NS))  # type: ignore[arg-type]


@pytest.mark.parametrize("factors", [
    FACTORS,
    ["p", "a-factor-name-far-too-long-for-its-column-by-any-measure", "x"],
    [f"factor-{i}" for i in range(14)],
    ["supercalifragilisticexpialidocious"],
])
def test_every_text_starts_inside_the_drawing(factors: list[str]) -> None:
    c = canvas(factors=factors, unique_factor=factors[-1], offerings=[
        {"offering": "a-very-long-offering-name-" * 4, "ours": True, "scores": {factors[0]: 10}}])
    svg = parse(c)
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    for element in svg.iter():
        if element.tag.endswith(("text", "tspan")) and element.get("x") is not None:
            assert 0 <= float(element.get("x", -1)) <= width, text_of(element)
        if element.tag.endswith(("text", "tspan")) and element.get("y") is not None:
            assert 0 <= float(element.get("y", -1)) <= height, text_of(element)


@pytest.mark.parametrize(("lo", "hi"), [(0, 10), (0, 7), (1, 5), (0, 0.37), (-3, 12), (5, 5), (0, 1234), (-0.2, 0.9)])
def test_nice_ticks_step_by_one_two_or_five_times_a_power_of_ten_and_cover_the_range(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi and 3 <= len(ticks) <= 8
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in {1, 2, 5}
    assert all(abs((b - a) - step) < 1e-9 for a, b in pairwise(ticks))


def test_a_canvas_without_offerings_says_so_and_many_alternatives_stay_told_apart() -> None:
    empty = parse(canvas(offerings=[]))
    assert curves(empty) == {} and "No offering scored yet." in text_of(empty)
    many = [{"offering": f"rival-{i}", "ours": False, "scores": {"price": i}} for i in range(10)]
    lines = list(curves(parse(canvas(offerings=many))).values())
    looks = {(p.get("stroke"), p.get("stroke-dasharray")) for p in lines}
    assert len(looks) == 10
