"""Experiment charts (docs/brief.md §6): each comparison's interval, each recommendation's basis across
experiments, and the XmR chart of a before/after. Labels and verdicts come from ``experiment_story``.

Built on the shared chart module (``projections.rendering.charts``: scales, frame, colours); like it, every function
returns escaped SVG markup inside a ``<figure>``, for the HTML report and the web pages alike.
"""

from __future__ import annotations

import html
import math
from typing import Any

from projections.rendering.charts import (
    BLUE,
    FONT,
    GREEN,
    GREY,
    HEIGHT,
    PAD,
    RED,
    RIGHT,
    WIDTH,
    _empty,
    _frame,
    _scale,
    nice_span,
    nice_ticks,
)
from projections.rendering.experiment_format import MINUS, signed_pct
from projections.rendering.experiment_story import Line, line

TONES = {"good": GREEN, "bad": RED, "neutral": GREY}
TONE_TEXT = {"good": "#116329", "bad": "#82071e", "neutral": "#1f2328"}
NARROW, ROW = 400, 66  # interval rows: shrunk to a 390-px phone, 12-unit text stays about 11 px


def tick_pct(value: float, ticks: list[float]) -> str:
    """A tick as a percentage with the decimals its step needs ("0%" unsigned)."""
    step = (ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    places = max(0, -math.floor(math.log10(step * 100) + 1e-9))
    return "0%" if value == 0 else f"{value * 100:+.{places}f}%".replace("-", MINUS)


def _short(label: str, most: int = 56) -> str:
    """A label that fits the drawing's width (the whole one is in the point's tooltip)."""
    return label if len(label) <= most else label[: most - 1] + "…"


def _fits(font: float, room: float = NARROW - 8, bold: bool = False) -> int:
    """How many characters of text at ``font`` units fit in ``room`` (about 0.6 em a character, 0.66 em bold)."""
    return max(8, int(room / (font * (0.66 if bold else 0.6))))


Row = tuple[str, str, float, float, float, str, str, str]  # label, method, lift, low, high, numbers, verdict, tone


def _interval_rows(title: str, rows: list[Row]) -> str:
    """One block per row: its label, its numbers, its verdict in words and colour beside the method, then the
    lift's interval in the verdict's colour (green better, red worse or harmed, grey neither). A narrow drawing
    (``NARROW`` units across) whose text stays about 11 px on a phone."""
    ticks = nice_ticks(min(0.0, *(r[3] for r in rows)), max(0.0, *(r[4] for r in rows)), 5)
    height = 58 + ROW * len(rows)
    x = _scale(ticks[0], ticks[-1], 24, NARROW - 24)
    axis = height - 46
    parts = [f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="6" y2="{axis}" stroke="#eee"/>'
             f'<text x="{x(t):.1f}" y="{axis + 16}" text-anchor="middle" font-size="11">{tick_pct(t, ticks)}</text>'
             for t in ticks]
    parts.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="6" y2="{axis}" stroke="#24292f"/>'
                 f'<line x1="24" x2="{NARROW - 24}" y1="{axis}" y2="{axis}" stroke="#57606a"/>'
                 f'<text x="{NARROW / 2:.0f}" y="{axis + 34}" text-anchor="middle" font-size="11">'
                 "lift against control (0 = no effect)</text>")
    for i, (label, method, mid, low, high, numbers, verdict, tone) in enumerate(rows):
        top, colour = 6 + ROW * i, TONES[tone]
        bar = top + 52
        parts.append(
            f'<text x="4" y="{top + 13}" font-size="12.5" font-weight="600">'
            f'{html.escape(_short(label, _fits(12.5, bold=True)))}</text>'
            f'<text x="4" y="{top + 28}" font-size="11.5">{html.escape(_short(numbers, _fits(11.5)))}</text>'
            f'<text x="4" y="{top + 41}" font-size="11" fill="#57606a"><tspan fill="{TONE_TEXT[tone]}" '
            f'font-weight="600">{html.escape(verdict)}</tspan> · '
            f'{html.escape(_short(method, _fits(11) - len(verdict) - 4))}</text>'
            f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="{bar}" y2="{bar}" stroke="{colour}" stroke-width="4"/>'
            f'<circle cx="{x(mid):.1f}" cy="{bar}" r="5.5" fill="{colour}"><title>{html.escape(label)}: '
            f'{html.escape(numbers)}: {html.escape(verdict)} ({html.escape(method)})</title></circle>'
        )
    return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {NARROW} {height}" width="{NARROW * 1.4:.0f}" height="{height * 1.4:.0f}" '
            f'role="img" aria-label="{html.escape(title)}">{"".join(parts)}</svg></figure>')


def _row(label: str, c: dict[str, Any], line: Line) -> Row:
    return (label, line.method, c["lift"], c["lift_ci_low"], c["lift_ci_high"],
            f"{signed_pct(c['lift'])}, {line.evidence}", line.verdict, line.tone)


def comparisons_chart(experiment: dict[str, Any]) -> str:
    """Relative lift of each arm × metric against control with its interval (confidence, sequential or
    credible, as the experiment's plan says), coloured and labelled by its verdict."""
    title = f"{experiment['experiment']}: lift against {experiment['plan']['arms'][0]} by arm and metric"
    pairs = [(c, line(experiment, c)) for c in experiment.get("comparisons", [])
             if c["lift_ci_low"] is not None and c["lift"] is not None]
    if not pairs:
        return _empty(title, "No comparison has enough data for an interval yet.")
    return _interval_rows(title, [
        _row(f"{c['arm']} · {c['metric']}" + (" (guardrail)" if c["role"] == "guardrail" else ""), c, ln)
        for c, ln in pairs])


def leads_chart(experiments: list[dict[str, Any]]) -> str:
    """Each experiment's lift on the comparison its recommendation rests on, by that comparison's method."""
    title = "What each recommendation rests on: lift against control, with its interval"
    rows = []
    for e in experiments:
        basis = e.get("basis") or {}
        c = next((c for c in e.get("comparisons", []) if (c["arm"], c["metric"]) == (basis.get("arm"),
                                                                                      basis.get("metric"))), None)
        if c is not None and c["lift"] is not None and c["lift_ci_low"] is not None:
            rows.append(_row(f"{e['experiment']}: {c['arm']} on {c['metric']}", c, line(e, c)))
    if not rows:
        return _empty(title, "No experiment has enough observations for an interval yet.")
    return _interval_rows(title, rows)


def xmr_chart(experiment: dict[str, Any]) -> str:
    """Baseline and after readings in time order with the baseline's natural process limits;
    the points that signal (Western Electric rules 1–4) in red, the start of the change dashed."""
    title = f"{experiment['experiment']}: XmR chart (limits from the baseline window; red: signals)"
    spc, readings = experiment.get("spc") or {}, experiment.get("readings") or {}
    if spc.get("center") is None:
        return _empty(title, spc.get("because") or "No XmR chart without baseline readings.")
    points = [(r["at"], r["value"], False) for r in readings["baseline"]]
    points += [(r["at"], r["value"], True) for r in readings["after"]]
    values = [v for _, v, _ in points] + [spc["unpl"], spc["lnpl"]]
    lo, hi = min(values), max(values)
    margin = (hi - lo) * 0.1 or 1.0
    lo, hi = nice_span(lo - margin, hi + margin)
    x = _scale(0, max(len(points) - 1, 1), PAD + 10, RIGHT)
    y = _scale(lo, hi, HEIGHT - PAD, PAD / 2)
    signals: dict[str, list[int]] = {}
    for s in spc["signals"]:
        signals.setdefault(s["at"], []).append(s["rule"])
    lines = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{c}" {dash}/>'
        f'<text x="{WIDTH - 12}" y="{y(v) - 3:.1f}" text-anchor="end" font-size="{FONT}">{name} {v:.3g}</text>'
        for name, v, c, dash in (("UNPL", spc["unpl"], RED, 'stroke-dasharray="6,3"'),
                                 ("center", spc["center"], GREEN, ""),
                                 ("LNPL", spc["lnpl"], RED, 'stroke-dasharray="6,3"'))
    )
    start = next((i for i, (_, _, after) in enumerate(points) if after), None)
    marker = ("" if start is None else f'<line x1="{x(start - 0.5):.1f}" x2="{x(start - 0.5):.1f}" y1="{PAD / 2}" '
              f'y2="{HEIGHT - PAD}" stroke="{GREY}" stroke-dasharray="2,3"/>')
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v, _) in enumerate(points))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{5 if at in signals and after else 3}" '
        f'fill="{RED if at in signals and after else BLUE}"><title>{html.escape(at)}: {v:.4g}'
        f'{" - signal, rule " + ", ".join(map(str, signals[at])) if at in signals and after else ""}</title></circle>'
        for i, (at, v, after) in enumerate(points)
    )
    body = f'{lines}{marker}<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="1.5"/>{dots}'
    return _frame(body, title, lo, hi, [at[:10] for at, _, _ in points])
