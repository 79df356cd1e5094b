"""Where the value-curve chart's parts go, so that every label lands inside the drawing.

Factor names are wrapped under their column; when a name would need more than three lines there or a cut
word, every factor label is turned 45° instead (on as many lines as fit before the next label) and the margins
grow until the longest one fits. Legend entries wrap too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from projections.rendering.charts import _scale, _tick
from projections.rendering.svg_text import esc, longest_piece, text_width, wrap

WIDTH, FONT, LINE, TOP, PLOT_HEIGHT = 400, 13, 16, 44, 200
SIN45 = math.sqrt(0.5)


@dataclass
class Layout:
    font: int
    width: int
    top: int
    bottom: int
    left: float
    right: float
    column: float
    xs: list[float]
    y: Callable[[float], float]
    unique_x: float = 0.0
    unique_anchor: str = "middle"
    factor_labels: list[str] = field(default_factory=list)
    legend_rows: list[float] = field(default_factory=list)
    legend_labels: list[str] = field(default_factory=list)
    height: float = 0.0


def _columns(n: int, left: float, right: float) -> tuple[float, list[float]]:
    column = (WIDTH - left - right) / max(n, 1)
    return column, [left + column * (i + 0.5) for i in range(n)]


def _turned(factors: list[str], xs: list[float], y0: float, angle: int) -> tuple[list[list[str]], float, float, float]:
    """Lines of each label turned by ``angle`` degrees (45 or 90), and how far they reach: left-most x,
    right-most x, lowest y. A label's lines are side by side, centred on its column, as many as fit before
    the next label, each as short as that allows."""
    sin, cos = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    room = max(1, int((xs[1] - xs[0]) * sin / LINE)) if len(xs) > 1 else 3
    lines = [next(w for width in range(max(22, longest_piece(f)), max(22, len(f)) + 5, 4)
                  if len(w := wrap(f, width)) <= room) for f in factors]  # no word cut, as few lines as fit
    lo, hi, low = math.inf, -math.inf, y0
    for x, label in zip(xs, lines, strict=True):
        for k, line in enumerate(label):
            offset = _offset(k, len(label))  # across the text: down-right on the page
            ax, ay, length = x + offset * sin, y0 + offset * cos, text_width(line, FONT)
            lo, hi = min(lo, ax - length * cos - FONT * sin), max(hi, ax + FONT * cos + 2)
            low = max(low, ay + length * sin + FONT * cos)
    return lines, lo, hi, low


def _offset(k: int, lines: int) -> float:
    return (k - (lines - 1) / 2) * LINE + 0.35 * FONT


def _fit(factors: list[str], left: float, right: float, y0: float,
         angle: int) -> tuple[float, float, float, list[float], list[list[str]], float]:
    """Margins widened until the turned labels fit (each pass moves the columns): left, right, column, xs,
    lines, lowest y."""
    for _ in range(5):
        column, xs = _columns(len(factors), left, right)
        lines, lo, hi, low = _turned(factors, xs, y0, angle)
        if lo >= 2 and hi <= WIDTH - 2:
            break
        left, right = left + max(0.0, 2 - lo), right + max(0.0, hi - WIDTH + 2)
    else:
        column, xs = _columns(len(factors), left, right)
        lines, _, _, low = _turned(factors, xs, y0, angle)
    return left, right, column, xs, lines, low


def layout(factors: list[str], legend: list[str], unique: str | None, ticks: list[float]) -> Layout:
    bottom = TOP + PLOT_HEIGHT
    left = max(text_width(_tick(t), FONT) for t in ticks) + 14
    right = 14.0
    column, xs = _columns(len(factors), left, right)
    per_line = int((column - 6) / text_width("x", FONT))
    wrapped = [wrap(f, per_line) for f in factors]
    turned = any(len(label) > 3 or longest_piece(f) > per_line for f, label in zip(factors, wrapped, strict=True))
    label_top = bottom + 6
    angle = 0
    if turned:  # 45° when the margins need not grow much for it, else upright
        for angle in (45, 90):
            fit = _fit(factors, left, right, label_top + 12, angle)
            if fit[0] < 100 and fit[1] < 100:
                break
        left, right, column, xs, lines, labels_end = fit
    else:
        lines, labels_end = wrapped, label_top + LINE * max((len(w) for w in wrapped), default=1) + 4
    y = _scale(ticks[0], ticks[-1], bottom, TOP)
    lay = Layout(FONT, WIDTH, TOP, bottom, left, right, column, xs, y)
    for f, x, label in zip(factors, xs, lines, strict=True):
        weight = ' font-weight="700"' if f == unique else ""
        if turned:
            y0 = label_top + 12
            spans = "".join(f'<tspan x="{x:.1f}" y="{y0 + _offset(k, len(label)):.1f}">{esc(line)}</tspan>'
                            for k, line in enumerate(label))
            lay.factor_labels.append(
                f'<text class="factor" x="{x:.1f}" y="{y0:.1f}" text-anchor="end"{weight} '
                f'transform="rotate(-{angle} {x:.1f} {y0:.1f})">{spans}</text>')
        else:
            spans = "".join(f'<tspan x="{x:.1f}" y="{label_top + LINE * (k + 1) - 3:.1f}">{esc(line)}</tspan>'
                            for k, line in enumerate(label))
            lay.factor_labels.append(f'<text class="factor" text-anchor="middle"{weight}>{spans}</text>')
    if unique in factors:
        ux, half = xs[factors.index(unique)], text_width("* unique factor", FONT) / 2
        lay.unique_x, lay.unique_anchor = ux, "middle"
        if ux - half < 4:
            lay.unique_x, lay.unique_anchor = 4, "start"
        elif ux + half > WIDTH - 4:
            lay.unique_x, lay.unique_anchor = WIDTH - 4, "end"
    lay.legend_labels.append(f'<text class="axis-title" x="{WIDTH / 2}" y="{labels_end + LINE:.1f}" '
                             f'text-anchor="middle" font-weight="600">Competition factors</text>')
    row_top = labels_end + LINE + 14
    if not legend:
        lay.legend_labels.append(
            f'<text class="legend" x="8" y="{row_top + LINE - 3:.1f}">No offering scored yet.</text>')
        row_top += LINE + 6
    for name in legend:
        name_lines = wrap(name, int((WIDTH - 58) / text_width("x", FONT)))
        lay.legend_rows.append(row_top + LINE / 2)
        spans = "".join(f'<tspan x="52" y="{row_top + LINE * (k + 1) - 3:.1f}">{esc(line)}</tspan>'
                        for k, line in enumerate(name_lines))
        lay.legend_labels.append(f'<text class="legend">{spans}</text>')
        row_top += LINE * len(name_lines) + 6
    lay.height = row_top + 6
    return lay
