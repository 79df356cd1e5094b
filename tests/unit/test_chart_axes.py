"""docs/brief.md §8 "Charts": the value axes of the server-drawn charts step by 1, 2 or 5 × 10^k and hold the data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from projections.rendering.charts import PAD, bar_chart, compliance_chart, nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}


def axis_values(figure: str) -> list[float]:
    """The numbers written beside the value axis (right-aligned just left of the plot)."""
    svg = ET.fromstring(figure).find("svg")
    assert svg is not None
    return [float((t.text or "").replace(",", "")) for t in svg.iter("text")
            if t.get("text-anchor") == "end" and float(t.get("x", 0)) == PAD - 6]


def assert_nice(values: list[float], data: list[float]) -> None:
    values = sorted(values)
    assert len(values) >= 3
    step = values[1] - values[0]
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in {1, 2, 5}, values
    assert all(abs((b - a) - step) < 1e-9 for a, b in pairwise(values)), values
    assert values[0] <= min(data) and values[-1] >= max(data)


@pytest.mark.parametrize("values", [[93.4, 97.1, 88.0], [0.31, 0.42], [1234.5, 987.0, 1500.2]])
def test_the_compliance_axis_has_nice_ticks_around_the_values_and_targets(values: list[float]) -> None:
    rows = [{"period_start": f"2026-01-0{i + 1}", "value": v, "target": values[0], "kept": True}
            for i, v in enumerate(values)]
    assert_nice(axis_values(compliance_chart("p", rows)), values)


def test_the_bar_axis_has_nice_ticks_from_below_zero_to_the_top() -> None:
    figure = bar_chart("money", ["2026-01", "2026-02"], [("net", "#000", [-1234.0, 56789.0])])
    assert_nice(axis_values(figure), [-1234.0, 56789.0, 0.0])


@pytest.mark.parametrize(("lo", "hi"), [(-1e308, 1e308), (1e308, 1e308), (0.0, float("inf")), (5.0, 5.0)])
def test_ticks_of_spans_past_floats_range_are_the_ends_not_an_error(lo: float, hi: float) -> None:
    """Readings of 1e308 from an older store drew no retrospective: the span overflowed to infinity."""
    ticks = nice_ticks(lo, hi)
    assert ticks and all(lo <= t <= max(hi, lo + 1) for t in ticks), ticks
