"""Experiment charts (docs/brief.md §6): each comparison's interval, and the XmR chart of a before/after.

Built on the shared chart module (``projections.rendering.charts``: scales, frame, colours); like it, every function
returns escaped SVG markup inside a ``<figure>``, for the HTML report and the web pages alike.
"""

from __future__ import annotations

import html
from typing import Any

from projections.rendering.charts import (
    BLUE,
    GREEN,
    GREY,
    HEIGHT,
    ORANGE,
    PAD,
    RED,
    RIGHT,
    WIDTH,
    _empty,
    _frame,
    _scale,
    nice_span,
)


def _pct(value: float) -> str:
    return f"{value:+.1%}"


def comparisons_chart(experiment: dict[str, Any]) -> str:
    """Relative lift of each arm × metric against control with its interval (confidence, sequential or
    credible, as the experiment's plan says); guardrails in grey, significant results coloured."""
    title = f"{experiment['experiment']}: lift against {experiment['plan']['arms'][0]} by arm and metric"
    rows = [c for c in experiment.get("comparisons", []) if c["lift_ci_low"] is not None and c["lift"] is not None]
    if not rows:
        return _empty(title, "No comparison has enough data for an interval yet.")
    lo = min(0.0, *(c["lift_ci_low"] for c in rows)) * 1.1
    hi = max(0.0, *(c["lift_ci_high"] for c in rows)) * 1.1 or 0.1
    height = 40 + 34 * len(rows)
    x = _scale(lo, hi, 240, WIDTH - 150)
    parts = [f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="10" y2="{height - 14}" stroke="{GREY}"/>']
    for i, c in enumerate(rows):
        cy = 28 + 34 * i
        bayesian = experiment["plan"]["engine"] == "bayesian"
        evidence = (f"chance to win {c['chance_to_win']:.1%}" if bayesian and c["chance_to_win"] is not None
                    else f"p_adj={c['p_adjusted']:.3g}" if c["p_adjusted"] is not None else "p n/a")
        colour = GREY if c["role"] == "guardrail" else ORANGE
        label = f"{c['arm']} · {c['metric']}" + (" (guardrail)" if c["role"] == "guardrail" else "")
        parts.append(
            f'<text x="10" y="{cy + 4}" font-size="11">{html.escape(label)}</text>'
            f'<line x1="{x(c["lift_ci_low"]):.1f}" x2="{x(c["lift_ci_high"]):.1f}" y1="{cy}" y2="{cy}" '
            f'stroke="{colour}" stroke-width="3"/>'
            f'<circle cx="{x(c["lift"]):.1f}" cy="{cy}" r="5" fill="{BLUE}"><title>{html.escape(label)}: '
            f'{_pct(c["lift"])} [{_pct(c["lift_ci_low"])}, {_pct(c["lift_ci_high"])}], {evidence}</title></circle>'
            f'<text x="{x(c["lift_ci_high"]) + 6:.1f}" y="{cy + 4}" font-size="10">{_pct(c["lift"])} '
            f'({html.escape(evidence)})</text>'
        )
    return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
            f'aria-label="{html.escape(title)}">{"".join(parts)}</svg></figure>')


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
        f'<text x="{WIDTH - 12}" y="{y(v) - 3:.1f}" text-anchor="end" font-size="10">{name} {v:.3g}</text>'
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
