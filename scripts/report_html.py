"""The retrospective as one self-contained HTML file: inline SVG charts, no scripts, no network."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

WIDTH, HEIGHT, PAD = 720, 240, 48
GREEN, RED, BLUE, GREY, ORANGE = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e", "#ef6c00"


def _scale(lo: float, hi: float, out_lo: float, out_hi: float):  # type: ignore[no-untyped-def]
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) * (out_hi - out_lo) / span


def _tick(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _frame(body: str, title: str, y_lo: float, y_hi: float, labels: Sequence[str],
           label_x: Sequence[float] | None = None) -> str:
    y = _scale(y_lo, y_hi, HEIGHT - PAD, PAD / 2)
    ticks = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>'
        f'<text x="{PAD - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="10">{_tick(v)}</text>'
        for v in (y_lo + (y_hi - y_lo) * i / 4 for i in range(5))
    )
    step = -(-len(labels) // 7)  # at most 7 labels, so they never overlap
    x = _scale(0, max(len(labels) - 1, 1), PAD + 10, WIDTH - 20)
    positions = label_x if label_x is not None else [x(i) for i in range(len(labels))]
    xlabels = "".join(
        f'<text x="{positions[i]:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle" font-size="10">'
        f'{html.escape(label)}</text>'
        for i, label in enumerate(labels) if i % step == 0
    )
    return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{html.escape(title)}">{ticks}{xlabels}{body}</svg></figure>')


def compliance_chart(promise: str, rows: list[dict[str, Any]]) -> str:
    values = [r["value"] for r in rows if r["value"] is not None] + [r["target"] for r in rows]
    lo, hi = min(values), max(values)
    margin = (hi - lo) * 0.1 or 1.0
    lo, hi = lo - margin, hi + margin
    x = _scale(0, max(len(rows) - 1, 1), PAD + 10, WIDTH - 20)
    y = _scale(lo, hi, HEIGHT - PAD, PAD / 2)
    target = " ".join(f"{x(i):.1f},{y(r['target']):.1f}" for i, r in enumerate(rows))
    line = " ".join(f"{x(i):.1f},{y(r['value']):.1f}" for i, r in enumerate(rows) if r["value"] is not None)
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(r["value"]):.1f}" r="4" fill="{GREEN if r["kept"] else RED}">'
        f'<title>{r["period_start"]}: {r["value"]:.2f} vs target {r["target"]:g}</title></circle>'
        for i, r in enumerate(rows) if r["value"] is not None
    )
    body = (f'<polyline points="{target}" fill="none" stroke="{GREY}" stroke-dasharray="5,3"/>'
            f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>{dots}')
    return _frame(body, f"Compliance of {promise} (dashed: target in force; green kept, red missed)", lo, hi,
                  [r["period_start"] for r in rows])


def bar_chart(title: str, labels: list[str], series: list[tuple[str, str, list[float]]]) -> str:
    values = [v for _, _, vs in series for v in vs] + [0.0]
    lo, hi = min(values), max(values) or 1.0
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
    legend = "".join(
        f'<rect x="{PAD + 10 + 110 * s}" y="4" width="10" height="10" fill="{c}"/>'
        f'<text x="{PAD + 24 + 110 * s}" y="13" font-size="11">{html.escape(n)}</text>'
        for s, (n, c, _) in enumerate(series)
    )
    return _frame("".join(bars) + legend, title, lo, hi, labels, centres)


def forest_chart(rows: list[dict[str, Any]]) -> str:
    """Relative effect (difference / control mean) with its 95% interval, one line per experiment."""
    usable = [r for r in rows if r["ci_low"] is not None and r["arms"][0]["mean"]]
    if not usable:
        return "<p>No experiment has enough observations for an interval yet.</p>"
    rel = [(r["experiment"], r["abs_diff"] / r["arms"][0]["mean"], r["ci_low"] / r["arms"][0]["mean"],
            r["ci_high"] / r["arms"][0]["mean"], r["p_value"]) for r in usable]
    lo = min(0.0, *(lo for _, _, lo, _, _ in rel)) * 1.1
    hi = max(0.0, *(hi for _, _, _, hi, _ in rel)) * 1.1 or 0.1
    height = 40 + 36 * len(rel)
    x = _scale(lo, hi, 220, WIDTH - 130)
    parts = [f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="10" y2="{height - 20}" stroke="{GREY}"/>']
    for i, (name, mid, low, high, p) in enumerate(rel):
        cy = 30 + 36 * i
        parts.append(
            f'<text x="10" y="{cy + 4}" font-size="11">{html.escape(name)}</text>'
            f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="{cy}" y2="{cy}" stroke="{ORANGE}" stroke-width="3"/>'
            f'<circle cx="{x(mid):.1f}" cy="{cy}" r="5" fill="{BLUE}"><title>{mid:+.1%} '
            f'[{low:+.1%}, {high:+.1%}], p={p:.3g}</title></circle>'
            f'<text x="{x(high) + 6:.1f}" y="{cy + 4}" font-size="10">{mid:+.1%} (p={p:.2g})</text>'
        )
    return (f'<figure><figcaption>Experiment effects relative to control, with 95% Welch intervals</figcaption>'
            f'<svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">{"".join(parts)}</svg></figure>')


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def team_section(retro: dict[str, Any]) -> str:
    parts = [f"<h2>Team {html.escape(retro['team'])}</h2>"]
    parts.append("<h3>How agreements changed</h3>")
    parts.append(_table(
        ["at", "promise", "v", "event", "actor", "reason", "changes"],
        [[c["at"], c["promise"], c["version"], c["event"], c["actor"], c["reason"],
          ", ".join(f"{k}={v}" for k, v in c["changes"].items())] for c in retro["promise_changes"]],
    ))
    parts.append("<h3>Compliance</h3>")
    for promise, rows in retro["compliance"].items():
        parts.append(compliance_chart(promise, rows))
    complaints = retro["complaints"]
    parts.append(f"<h3>Complaints</h3><p>{complaints['received']} received, {complaints['resolved']} resolved, "
                 f"{complaints['open']} still open; {complaints['other_feedback']} other feedback.</p>")
    weeks = complaints["per_week"]
    parts.append(bar_chart("Complaints per week", [w["week_start"] for w in weeks],
                           [("complaints", RED, [float(w["complaints"]) for w in weeks])]))
    parts.append("<h3>Experiments</h3>")
    parts.append(forest_chart(retro["experiments"]))
    parts.append(_table(
        ["experiment", "design", "status", "difference", "95% CI", "p", "decision", "learning"],
        [[e["experiment"], e["design"], e["status"], _fmt(e["abs_diff"]),
          f"[{_fmt(e['ci_low'])}, {_fmt(e['ci_high'])}]", _fmt(e["p_value"], 4), e["decision"], e["learning"]]
         for e in retro["experiments"]],
    ))
    economics = retro["economics"]
    parts.append("<h3>Economics</h3>")
    parts.append(bar_chart("Economics by period", [e["period"] for e in economics], [
        ("revenue", BLUE, [e["revenue"] for e in economics]),
        ("costs", GREY, [e["costs"] for e in economics]),
        ("net profit", GREEN, [e["net_profit"] for e in economics]),
        ("bonus pool", ORANGE, [e["bonus_pool"] for e in economics]),
    ]))
    if retro["error_reviews"] or retro["process_changes"]:
        parts.append("<h3>Errors analysed and processes changed</h3>")
        parts.append(_table(["at", "review", "what happened", "cause", "lesson"],
                            [[r["at"], r["review"], r["what_happened"], r["cause"], r["lesson"]]
                             for r in retro["error_reviews"]]))
        parts.append(_table(["at", "change", "description", "from experiment", "from review"],
                            [[c["at"], c["change"], c["description"], c["experiment"], c["review"]]
                             for c in retro["process_changes"]]))
    return "\n".join(parts)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def render(retros: list[dict[str, Any]], title: str) -> str:
    style = ("body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ddd;"
             "padding:4px 8px;text-align:left;vertical-align:top}figure{margin:1em 0}figcaption{font-weight:600}")
    sections = "\n".join(team_section(r) for r in retros)
    period = f"{retros[0]['from']} to {retros[0]['to']}" if retros else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(period)}</p>"
            f"{sections}</body></html>")
