"""SVG charts drawn on the server: one implementation for the HTML report and the web pages.

Every function returns SVG markup inside a ``<figure>``; all text that comes from data is escaped
here, so callers may embed the result as markup. No scripts, no network, no fonts to fetch, no
inline styles (pages send a strict Content-Security-Policy): the embedding page's stylesheet says
``svg {max-width: 100%; height: auto}`` so a chart shrinks to a phone's width.

The drawing is narrow (``WIDTH`` units, shown ``SHOWN`` times larger where there is room) and its text
``FONT`` units tall, so that shrunk to the ~350 pixels of a 390-pixel phone a label still reads about 10
pixels tall; the x axis labels only as many points as fit side by side.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Any

WIDTH, HEIGHT, PAD = 420, 230, 44
FONT = 12  # text height in drawing units
SHOWN = 1.2  # pixels per drawing unit where the page has room (a laptop)
GREEN, RED, BLUE, GREY, ORANGE = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e", "#ef6c00"
RIGHT = WIDTH - 40  # the last x label is centred on its point: room for half of it


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) * (out_hi - out_lo) / span


def nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """About ``count`` ticks covering [lo, hi] at a step of 1, 2 or 5 × 10^k, so a reader can count along the axis."""
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / max(count - 1, 1)
    if not (math.isfinite(raw) and raw > 0):  # a span past float's range (1e308 readings), or lost to rounding
        return sorted({v for v in (lo, hi) if math.isfinite(v)})
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    digits = max(0, -math.floor(math.log10(step)))
    return [float(round(i * step, digits)) for i in range(first, last + 1)]


def nice_span(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] widened to the nearest nice ticks, so an axis starts and ends on a labelled value."""
    ticks = nice_ticks(lo, hi, 5)
    return ticks[0], ticks[-1]


def _tick(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _label_room(labels: Sequence[str], font: float = FONT) -> float:
    """Width a right-aligned label column needs (digits are about 0.64 em wide in the common sans fonts)."""
    return max((len(label) * font * 0.66 for label in labels), default=0.0) + 4


def _x_labels(labels: Sequence[str], positions: Sequence[float]) -> str:
    """Labels under the points, every ``step``-th so that neighbours never touch (at most 7), each moved
    inwards where it would cross the drawing's right or left edge."""
    widest = _label_room(labels) + 8
    spacing = positions[1] - positions[0] if len(positions) > 1 else widest
    step = max(-(-len(labels) // 7), math.ceil(widest / max(spacing, 1e-9)))
    shown = []
    for i, label in enumerate(labels):
        if i % step == 0:
            half = _label_room([label]) / 2
            x = min(max(positions[i], half), WIDTH - half)
            shown.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 18}" text-anchor="middle" font-size="{FONT}">'
                         f'{html.escape(label)}</text>')
    return "".join(shown)


def _empty(title: str, message: str) -> str:
    return f'<figure><figcaption>{html.escape(title)}</figcaption><p class="empty">{html.escape(message)}</p></figure>'


def _frame(body: str, title: str, y_lo: float, y_hi: float, labels: Sequence[str],
           label_x: Sequence[float] | None = None) -> str:
    y = _scale(y_lo, y_hi, HEIGHT - PAD, PAD / 2)
    values = [v for v in nice_ticks(y_lo, y_hi, 5) if y_lo - 1e-9 <= v <= y_hi + 1e-9]
    ticks = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>'
        f'<text x="{PAD - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="{FONT}">{_tick(v)}</text>'
        for v in values
    )
    left = min(0.0, PAD - 6 - _label_room([_tick(v) for v in values]))  # long labels (1,100,000) widen it leftwards
    x = _scale(0, max(len(labels) - 1, 1), PAD + 10, RIGHT)
    positions = label_x if label_x is not None else [x(i) for i in range(len(labels))]
    return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="{left:.0f} 0 {WIDTH - left:.0f} {HEIGHT}" width="{(WIDTH - left) * SHOWN:.0f}" '
            f'height="{HEIGHT * SHOWN:.0f}" role="img" '
            f'aria-label="{html.escape(title)}">{ticks}{_x_labels(labels, positions)}{body}</svg></figure>')


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The stretches of consecutive points between the missing ones: a line is drawn along each, never across a gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _mark(cx: float, cy: float, kept: bool | None, tip: str) -> str:
    """Kept: a green dot; missed: a red cross; in progress (not judged yet): a hollow ring: shape as well as colour."""
    title = f"<title>{html.escape(tip)}</title>"
    if kept:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{GREEN}">{title}</circle>'
    if kept is None:
        return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#fff" stroke="{BLUE}" stroke-width="2">'
                f'{title}</circle>')
    return (f'<path d="M{cx - 4.5:.1f},{cy - 4.5:.1f}L{cx + 4.5:.1f},{cy + 4.5:.1f}M{cx - 4.5:.1f},{cy + 4.5:.1f}'
            f'L{cx + 4.5:.1f},{cy - 4.5:.1f}" stroke="{RED}" stroke-width="3">{title}</path>')


def _target_chart(title: str, rows: list[dict[str, Any]], empty: str, unjudged: str) -> str:
    """Period values (``value``, null: a gap) against the target in force (``target``, dashed; null: none) with a
    mark each: kept a green dot, missed a red cross, not judged (``unjudged`` says why) a ring."""
    if not rows:
        return _empty(title, empty)
    values = [r[k] for r in rows for k in ("value", "target") if r[k] is not None] or [0.0]
    lo, hi = min(values), max(values)
    margin = (hi - lo) * 0.1 or 1.0
    lo, hi = nice_span(lo - margin, hi + margin)
    x = _scale(0, max(len(rows) - 1, 1), PAD + 10, RIGHT)
    y = _scale(lo, hi, HEIGHT - PAD, PAD / 2)

    def line(key: str, attributes: str, lone: float = 0.0) -> str:
        """A polyline along each run of ``key``'s values; a run of one point is ``lone`` wide either side of it."""
        runs = _runs([None if r[key] is None else (x(i), y(r[key])) for i, r in enumerate(rows)])
        return "".join(
            '<polyline points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in run) + f'" fill="none" {attributes}/>'
            for run in ([(run[0][0] - lone, run[0][1]), (run[0][0] + lone, run[0][1])] if len(run) == 1 and lone
                        else run for run in runs))

    def tip(r: dict[str, Any]) -> str:
        against = f" vs target {r['target']:g}" if r["target"] is not None else ""
        return f"{r['period_start']}: {r['value']:.2f}{against}, " + (
            "kept" if r["kept"] else unjudged if r["kept"] is None else "missed")

    marks = "".join(_mark(x(i), y(r["value"]), r["kept"], tip(r)) for i, r in enumerate(rows) if r["value"] is not None)
    body = line("target", f'stroke="{GREY}" stroke-dasharray="5,3"', lone=24.0)  # a lone period's target shows
    body += line("value", f'stroke="{BLUE}" stroke-width="2"')
    return _frame(body + marks, title, lo, hi, [r["period_start"] for r in rows])


def compliance_chart(promise: str, rows: list[dict[str, Any]]) -> str:
    """A promise's period values against the target in force; a period in progress is a ring."""
    return _target_chart(
        f"Compliance of {promise} (dashed: target in force; dot kept, cross missed, ring in progress; "
        "gaps: no reading)", rows,
        "No compliance periods yet (the promise is not agreed, or no reading arrived).", "in progress")


def success_chart(metric: str, rows: list[dict[str, Any]]) -> str:
    """A team's success metric by month (``team show``'s ``success_metric.by_period``) against its target."""
    return _target_chart(
        f"Success metric {metric} by month (dashed: target in force; dot kept, cross missed, ring: no target; "
        "gaps: no reading)", rows, "No readings since the success metric was set.", "no target")


def bar_chart(title: str, labels: list[str], series: list[tuple[str, str, list[float]]]) -> str:
    """Grouped bars, one colour per series, with a legend; negative values hang below zero."""
    if not labels:
        return _empty(title, "Nothing recorded in this range.")
    values = [v for _, _, vs in series for v in vs] + [0.0]
    lo, hi = nice_span(min(values), max(values) or 1.0)
    y = _scale(lo, hi, HEIGHT - PAD, PAD / 2)
    slot = (WIDTH - PAD - 30) / max(len(labels), 1)
    width = slot * 0.8 / max(len(series), 1)
    centres = [PAD + 10 + i * slot + slot / 2 for i in range(len(labels))]
    bars = []
    for s, (name, colour, vs) in enumerate(series):
        for i, v in enumerate(vs):
            left = centres[i] - slot * 0.4 + s * width
            top, bottom = sorted((y(v), y(0)))
            bars.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
                        f'fill="{colour}"><title>{html.escape(name)} {html.escape(labels[i])}: {v:,.2f}</title></rect>')
    return _frame("".join(bars) + _legend(series), title, lo, hi, labels, centres)


def _legend(series: list[tuple[str, str, list[float]]]) -> str:
    """A swatch and a name per series along the top, each name as wide as its text."""
    parts, x = [], PAD + 10.0
    for name, colour, _ in series:
        parts.append(f'<rect x="{x:.1f}" y="3" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14:.1f}" y="13" font-size="{FONT}">{html.escape(name)}</text>')
        x += 14 + len(name) * FONT * 0.58 + 14  # letters run narrower than digits
    return "".join(parts)


def economics_chart(rows: list[dict[str, Any]], title: str = "Economics by period") -> str:
    """Revenue, costs, net profit and bonus pool per period (rows of ``team show``'s economics)."""
    return bar_chart(title, [e["period"] for e in rows], [
        ("revenue", BLUE, [e["revenue"] for e in rows]),
        ("costs", GREY, [e["costs"] for e in rows]),
        ("net profit", GREEN, [e["net_profit"] for e in rows]),
        ("bonus pool", ORANGE, [e["bonus_pool"] for e in rows]),
    ])
