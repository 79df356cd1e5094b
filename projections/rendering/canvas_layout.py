"""Where the value-curve chart's parts go, so that every label lands inside the drawing.

Factor names are wrapped under their column; when a name would need more than three lines there or a cut
word, every factor label is turned 45° instead and the margins grow until the longest one fits. Legend entries wrap too.
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


def _rotated(factors: list[str], xs: list[float], y0: float) -> tuple[list[list[str]], float, float, float]:
    """Lines of each turned label, and how far they reach: left-most x, right-most x, lowest y."""
    lines = [wrap(f, 22) for f in factors]
    lo, hi, low = math.inf, -math.inf, y0
    for x, label in zip(xs, lines, strict=True):
        for k, line in enumerate(label):
            ax, ay = x + k * LINE * SIN45, y0 + k * LINE * SIN45  # each next line sits down and right
            lo, hi = min(lo, ax - text_width(line, FONT) * SIN45), max(hi, ax + FONT * SIN45)
            low = max(low, ay + text_width(line, FONT) * SIN45 + FONT * SIN45)
    return lines, lo, hi, low


def layout(factors: list[str], legend: list[str], unique: str | None, ticks: list[float]) -> Layout:
    bottom = TOP + PLOT_HEIGHT
    left = max(text_width(_tick(t), FONT) for t in ticks) + 14
    right = 14.0
    column, xs = _columns(len(factors), left, right)
    per_line = int((column - 6) / text_width("x", FONT))
    wrapped = [wrap(f, per_line) for f in factors]
    turned = any(len(label) > 3 or longest_piece(f) > per_line for f, label in zip(factors, wrapped, strict=True))
    label_top = bottom + 6
    if turned:
        for _ in range(4):  # widen the margins until the turned labels fit; each pass moves the columns
            lines, lo, hi, _ = _rotated(factors, xs, label_top + 12)
            if lo >= 2 and hi <= WIDTH - 2:
                break
            left, right = left + max(0.0, 2 - lo), right + max(0.0, hi - WIDTH + 2)
            column, xs = _columns(len(factors), left, right)
        lines, _, _, labels_end = _rotated(factors, xs, label_top + 12)
    else:
        lines, labels_end = wrapped, label_top + LINE * max((len(w) for w in wrapped), default=1) + 4
    y = _scale(ticks[0], ticks[-1], bottom, TOP)
    lay = Layout(FONT, WIDTH, TOP, bottom, left, right, column, xs, y)
    for f, x, label in zip(factors, xs, lines, strict=True):
        weight = ' font-weight="700"' if f == unique else ""
        if turned:
            spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if k == 0 else LINE}">{esc(line)}</tspan>'
                            for k, line in enumerate(label))
            lay.factor_labels.append(
                f'<text class="factor" x="{x:.1f}" y="{label_top + 12:.1f}" text-anchor="end"{weight} '
                f'transform="rotate(-45 {x:.1f} {label_top + 12:.1f})">{spans}</text>')
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
    for name in legend:
        name_lines = wrap(name, int((WIDTH - 58) / text_width("x", FONT)))
        lay.legend_rows.append(row_top + LINE / 2)
        spans = "".join(f'<tspan x="52" y="{row_top + LINE * (k + 1) - 3:.1f}">{esc(line)}</tspan>'
                        for k, line in enumerate(name_lines))
        lay.legend_labels.append(f'<text class="legend">{spans}</text>')
        row_top += LINE * len(name_lines) + 6
    lay.height = row_top + 6
    return lay
