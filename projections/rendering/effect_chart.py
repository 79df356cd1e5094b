"""The cumulative effect over time (GrowthBook's "results over time"): the lift of the comparison the
recommendation rests on, with its interval as a band, after each day or week of observations.

A labelled lift axis with "nice" ticks (``charts.nice_ticks``) and the zero line; gaps where a point has no
interval yet (no line across them); the text alternative is the SVG's description and, for everyone,
the table of the same points beside it (``experiment_story.Story.over_time``).
"""

from __future__ import annotations

import html
from typing import Any

from projections.rendering.charts import BLUE, _empty, _scale, nice_ticks
from projections.rendering.experiment_charts import tick_pct
from projections.rendering.experiment_format import signed_pct
from projections.rendering.experiment_story import Story

W, H, LEFT = 400, 250, 64  # the drawing, and where its plot starts: room for a tick label as wide as "−100%"
AXIS_TITLE = 13  # the rotated axis title's baseline, left of the widest tick label (about 36 units at 11 px)
BOTTOM = H - 44


def _runs(points: list[tuple[int, dict[str, Any]]]) -> list[list[tuple[int, dict[str, Any]]]]:
    """Consecutive points with an interval: a line never crosses a point without one."""
    runs: list[list[tuple[int, dict[str, Any]]]] = []
    for i, pt in points:
        if runs and runs[-1][-1][0] == i - 1:
            runs[-1].append((i, pt))
        else:
            runs.append([(i, pt)])
    return runs


def _range(points: list[dict[str, Any]]) -> tuple[float, float]:
    """Zero, every estimate and the final interval, with room for half that interval's width on each side:
    the first days' intervals, far wider, would flatten everything that follows."""
    final = points[-1]
    room = (final["lift_ci_high"] - final["lift_ci_low"]) / 2
    lifts = [p["lift"] for p in points]
    return (min(0.0, final["lift_ci_low"] - room, *lifts), max(0.0, final["lift_ci_high"] + room, *lifts))


def over_time_chart(e: dict[str, Any], story: Story) -> str:
    """A narrow drawing (``W`` units across, shown 1.4 times larger on a laptop) whose text stays about 11 px
    when a 390-px phone shrinks it; the method is named in its caption."""
    series = e.get("over_time") or {}
    title = story.over_time_title
    points = series.get("points") or []
    usable = [(i, p) for i, p in enumerate(points) if None not in (p["lift"], p["lift_ci_low"], p["lift_ci_high"])]
    if not usable:
        return _empty(title, "No day has enough observations in both arms for an interval yet.")
    ticks = nice_ticks(*_range([p for _, p in usable]), 5)
    lo, hi = ticks[0], ticks[-1]
    scale = _scale(lo, hi, BOTTOM, 10)

    def y(value: float) -> float:  # the first days' wide intervals are cut at the frame
        return scale(min(max(value, lo), hi))

    x = _scale(0, max(len(points) - 1, 1), LEFT + 8, W - 14)
    grid = "".join(
        f'<line x1="{LEFT}" x2="{W - 4}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#eee"/>'
        f'<text x="{LEFT - 4}" y="{y(t) + 4:.1f}" text-anchor="end" font-size="11">{tick_pct(t, ticks)}</text>'
        for t in ticks)
    zero = f'<line x1="{LEFT}" x2="{W - 4}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#24292f" stroke-width="1.5"/>'
    body = []
    for run in _runs(usable):
        band = [f"{x(i):.1f},{y(p['lift_ci_high']):.1f}" for i, p in run]
        band += [f"{x(i):.1f},{y(p['lift_ci_low']):.1f}" for i, p in reversed(run)]
        path = " ".join(f"{x(i):.1f},{y(p['lift']):.1f}" for i, p in run)
        body.append(f'<polygon points="{" ".join(band)}" fill="{BLUE}" fill-opacity="0.18" stroke="none"/>'
                    f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
        body.extend(f'<circle cx="{x(i):.1f}" cy="{y(p["lift"]):.1f}" r="2.5" fill="{BLUE}"><title>through '
                    f'{html.escape(p["period_start"])}: {signed_pct(p["lift"])} [{signed_pct(p["lift_ci_low"])}, '
                    f'{signed_pct(p["lift_ci_high"])}]</title></circle>' for i, p in run)
    step = -(-len(points) // 5)
    labels = "".join(f'<text x="{x(i):.1f}" y="{BOTTOM + 20}" text-anchor="middle" font-size="11">'
                     f'{html.escape(p["period_start"][5:])}</text>' for i, p in enumerate(points) if i % step == 0)
    axes = (f'<text transform="rotate(-90)" x="{-(BOTTOM + 10) / 2:.1f}" y="{AXIS_TITLE}" text-anchor="middle" '
            f'font-size="11">lift (0 = no effect)</text>'
            f'<text x="{(LEFT + W) / 2:.1f}" y="{H - 6}" text-anchor="middle" font-size="11">'
            f"cumulative, through each {html.escape(series['unit'])}</text>")
    first, last = story.over_time[usable[0][0]], story.over_time[usable[-1][0]]
    desc = (f"{title}; shaded: the interval, cut at the frame where wider. Through {first[0]}: {first[2]}; "
            f"through {last[0]}: {last[2]}, {last[3]}. Every point is in the table below the chart.")
    return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {W} {H}" width="{W * 1.4:.0f}" height="{H * 1.4:.0f}" role="img" '
            f'aria-label="{html.escape(desc)}"><desc>{html.escape(desc)}</desc>{grid}{zero}{"".join(body)}'
            f'{labels}{axes}</svg></figure>')
