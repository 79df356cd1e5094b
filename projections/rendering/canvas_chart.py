"""The strategy canvas as Blue Ocean's value-curve chart (docs/brief.md §4 step 4, §8).

Factors across, score up, one curve per offering. Ours is told by a thicker line, its own colour, a diamond
marker and "(ours)" in the legend, never by colour alone; the unique factor by a shaded column with a label.
A missing score is a gap in the curve. The drawing is narrow (its viewBox is 400 wide) so that, shrunk to a
390-pixel phone by the page's ``svg {max-width: 100%}``, its 13-unit text stays about 11 pixels tall.
"""

from __future__ import annotations

from typing import Any

from projections.rendering.canvas_layout import Layout, layout
from projections.rendering.charts import _tick, nice_ticks
from projections.rendering.svg_text import esc

OURS = "#0b5cad"
OTHERS = ("#c2410c", "#7e22ce", "#047857", "#a16207", "#525252")
DASHES = ("6,3", "2,3", "9,3,2,3", "4,4", "1,3")
SHAPES = ("circle", "square", "triangle", "down", "cross")
TEXT, GRID, AXIS, BAND = "#1f2328", "#e5e7eb", "#57606a", "#fff1b8"
Style = tuple[str, str | None, str, float]  # colour, dash pattern, marker shape, line width


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    r = 6.5 if shape == "diamond" else 4.5
    title = f"<title>{esc(tip)}</title>"
    if shape == "circle":
        return f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}">{title}</circle>'
    if shape == "square":
        return (f'<rect class="marker" x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
                f'fill="{colour}">{title}</rect>')
    points = {
        "diamond": [(0, -r), (r, 0), (0, r), (-r, 0)],
        "triangle": [(0, -r - 1), (r + 1, r), (-r - 1, r)],
        "down": [(0, r + 1), (r + 1, -r), (-r - 1, -r)],
        "cross": [(-r, -r), (r, r), (0, 0), (r, -r), (-r, r)],
    }[shape]
    d = " ".join(f"{'M' if i == 0 else 'L'}{x + dx:.1f},{y + dy:.1f}" for i, (dx, dy) in enumerate(points))
    if shape == "cross":
        return f'<path class="marker" d="{d}" fill="none" stroke="{colour}" stroke-width="2.5">{title}</path>'
    return f'<path class="marker" d="{d} Z" fill="{colour}" stroke="#fff" stroke-width="1">{title}</path>'


def _styles(offerings: list[dict[str, Any]]) -> list[Style]:
    """(colour, dash, marker shape, line width) per offering: ours solid and thick, the others thin and dashed."""
    styles: list[Style] = []
    other = 0
    for o in offerings:
        if o["ours"]:
            styles.append((OURS, None, "diamond", 4.0))
        else:
            turn = other // 5  # past five alternatives, colours come round again with another marker and dash
            styles.append((OTHERS[other % 5], DASHES[(other + 2 * turn) % 5], SHAPES[(other + turn) % 5], 2.0))
            other += 1
    return styles


def _lines(lay: Layout, ticks: list[float]) -> list[str]:
    parts = [f'<line x1="{lay.left}" x2="{lay.width - lay.right}" y1="{lay.y(t):.1f}" y2="{lay.y(t):.1f}" '
             f'stroke="{GRID}"/><text x="{lay.left - 6}" y="{lay.y(t) + 4.5:.1f}" text-anchor="end">{_tick(t)}</text>'
             for t in ticks]
    parts += [f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{lay.top}" y2="{lay.bottom}" stroke="{GRID}"/>' for x in lay.xs]
    parts.append(f'<path d="M{lay.left},{lay.top} V{lay.bottom} H{lay.width - lay.right}" fill="none" '
                 f'stroke="{AXIS}"/>')
    parts.append(f'<text class="axis-title" x="8" y="16" font-weight="600">Score ({_tick(ticks[0])} to '
                 f'{_tick(ticks[-1])}, higher is better)</text>')
    return parts


def _curves(lay: Layout, factors: list[str], offerings: list[dict[str, Any]], styles: list[Style]) -> list[str]:
    """One path per offering, broken where a score is missing, and a marker with its title per score; offerings
    are nudged apart a little so equal scores stay visible, and ours is drawn last, on top."""
    dodge = min(3.0, lay.column / (2 * max(len(offerings), 1)))
    curves: list[tuple[bool, str]] = []
    markers: list[tuple[bool, str]] = []
    for j, (o, (colour, dash, shape, width)) in enumerate(zip(offerings, styles, strict=True)):
        dx, ours = (j - (len(offerings) - 1) / 2) * dodge, bool(o["ours"])
        d, gap = [], True
        for i, f in enumerate(factors):
            score = o["scores"].get(f)
            if score is None:
                gap = True
                continue
            x, y = lay.xs[i] + dx, lay.y(float(score))
            d.append(f"{'M' if gap else 'L'}{x:.1f},{y:.1f}")
            gap = False
            markers.append((ours, _marker(shape, x, y, colour, f"{o['offering']} — {f}: {float(score):g}")))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        curves.append((ours, f'<path class="curve{" ours" if ours else ""}" data-offering="{esc(o["offering"])}" '
                       f'd="{" ".join(d)}" fill="none" stroke="{colour}" stroke-width="{width}"{dash_attr} '
                       f'stroke-linejoin="round"/>'))
    return [c for _, c in sorted(curves, key=lambda c: c[0])] + [m for _, m in sorted(markers, key=lambda m: m[0])]


def _legend(lay: Layout, offerings: list[dict[str, Any]], styles: list[Style]) -> list[str]:
    parts = []
    for row, (o, (colour, dash, shape, width)) in enumerate(zip(offerings, styles, strict=True)):
        y = lay.legend_rows[row]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="8" x2="44" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="{width}"'
                     f'{dash_attr}/>' + _marker(shape, 26, y, colour, o["offering"]))
    return parts + lay.legend_labels


def value_curve_svg(canvas: dict[str, Any]) -> str:
    """One canvas (``client show``'s shape) as an accessible inline ``<svg>``; every text escaped."""
    factors: list[str] = list(canvas["factors"])
    offerings = sorted(canvas["offerings"], key=lambda o: not o["ours"])  # ours first in the legend
    unique = canvas.get("unique_factor")
    scores = [float(s) for o in offerings for s in o["scores"].values() if s is not None]
    ticks = nice_ticks(min([0.0, *scores]), max([10.0, *scores]))
    styles = _styles(offerings)
    lay = layout(factors, [f"{o['offering']} (ours)" if o["ours"] else o["offering"] for o in offerings],
                 unique, ticks)
    parts = []
    if unique in factors:
        ux, half = lay.xs[factors.index(unique)], lay.column / 2
        parts.append(f'<rect class="unique-band" x="{ux - half:.1f}" y="{lay.top}" width="{lay.column:.1f}" '
                     f'height="{lay.bottom - lay.top}" fill="{BAND}"><title>Unique factor: {esc(unique)}</title>'
                     '</rect>')
        parts.append(f'<text class="unique-label" x="{lay.unique_x:.1f}" y="{lay.top - 6}" '
                     f'text-anchor="{lay.unique_anchor}" font-weight="700">&#9733; unique factor</text>')
    parts += _lines(lay, ticks)
    parts += lay.factor_labels
    parts += _curves(lay, factors, offerings, styles) + _legend(lay, offerings, styles)
    title = f"Strategy canvas {canvas['canvas']}" + (f" of team {canvas['team']}" if canvas.get("team") else "")
    return (f'<svg class="value-curve" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height:.0f}" '
            f'width="{lay.width * 1.4:.0f}" height="{lay.height * 1.4:.0f}" role="img" font-size="{lay.font}" '
            f'font-family="system-ui, sans-serif" fill="{TEXT}"><title>{esc(title)}</title>'
            f'<desc>{esc(describe(canvas))}</desc>{"".join(parts)}</svg>')


def describe(canvas: dict[str, Any]) -> str:
    """The chart in words (its ``<desc>``): every offering's scores, which is ours and the unique factor."""
    lines = [f"Value curves of {len(canvas['offerings'])} offering(s) on {len(canvas['factors'])} competition "
             f"factor(s); unique factor: {canvas.get('unique_factor') or 'not chosen'}."]
    for o in sorted(canvas["offerings"], key=lambda o: not o["ours"]):
        scored = ", ".join(f"{f} {_tick(float(o['scores'][f]))}" if o["scores"].get(f) is not None else f"{f} no score"
                           for f in canvas["factors"])
        lines.append(f"{o['offering']}{' (ours)' if o['ours'] else ''}: {scored}.")
    return " ".join(lines)

