"""The retrospective as one self-contained HTML file: inline SVG charts (``charts``), no scripts, no network.

The document's shell (head, inline style) is the template ``report.html`` beside this module (package data).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any

from projections.rendering import experiment_html
from projections.rendering.canvas_chart import value_curve_svg
from projections.rendering.charts import RED, bar_chart, compliance_chart, economics_chart
from projections.rendering.experiment_charts import leads_chart
from projections.rendering.signal_words import because_text, state_text, subject_text


def _table(headers: list[str], rows: list[list[Any]], label: str | None = None) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    # a wide table scrolls inside its box, so a phone never scrolls the page sideways; focusable, so a keyboard can
    name = html.escape(label or f"Table of {', '.join(headers[:3])}")
    return (f'<div class="scroll" tabindex="0" role="region" aria-label="{name}">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def team_section(retro: dict[str, Any], person_name: Callable[[Any], str] = lambda key: key) -> str:
    """One team's retrospective; ``person_name`` turns an actor's key into what the reader sees (a page: the name)."""
    parts = [f"<h2>Team {html.escape(retro['team'])}</h2>"]
    parts += [canvas_section(c) for c in retro.get("canvases", [])]
    parts.append("<h3>How agreements changed</h3>")
    parts.append(_table(
        ["at", "promise", "v", "event", "actor", "reason", "changes"],
        [[c["at"], c["promise"], c["version"], c["event"], person_name(c["actor"]), c["reason"],
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
    parts.append(leads_chart(retro["experiments"]))
    parts.append(_table(
        ["experiment", "design", "status", "recommendation", "decision", "learning"],
        [[e["experiment"], e["design"], e["status"], e["recommendation"], e["decision"], e["learning"]]
         for e in retro["experiments"]],
    ))
    for e in retro["experiments"]:
        parts.append(experiment_section(e))
    economics = retro["economics"]
    parts.append("<h3>Economics</h3>")
    parts.append(economics_chart(economics))
    if retro["error_reviews"] or retro["process_changes"]:
        parts.append("<h3>Errors analysed and processes changed</h3>")
        parts.append(_table(["at", "review", "what happened", "cause", "lesson"],
                            [[r["at"], r["review"], r["what_happened"], r["cause"], r["lesson"]]
                             for r in retro["error_reviews"]]))
        parts.append(_table(["at", "change", "description", "from experiment", "from review"],
                            [[c["at"], c["change"], c["description"], c["experiment"], c["review"]]
                             for c in retro["process_changes"]]))
    signals = retro.get("signals", [])
    parts.append("<h3>Signals raised</h3>")
    parts.append(_table(["raised", "kind", "severity", "about", "because", "now"],
                        [[s["raised_at"][:10], s["kind"], s["severity"], subject_text(s), because_text(s["because"]),
                          state_text(s)] for s in signals], "Signals raised in the period")
                 if signals else "<p>None raised for this team in the period.</p>")
    return "\n".join(parts)


def canvas_section(c: dict[str, Any]) -> str:
    """Step 4: one strategy canvas as its value curves, with the scores as a table (the chart's text alternative)."""
    unique = c["unique_factor"]
    return "\n".join([
        f"<h3>Strategy canvas {html.escape(c['canvas'])}</h3>",
        f"<p>For client {html.escape(c['client'])}, drawn by team {html.escape(c['team'] or '-')}.</p>",
        f"<figure><figcaption>Value curves (thick line, diamonds: ours; shaded column: the unique factor "
        f"{html.escape(unique or 'not chosen yet')})</figcaption>{value_curve_svg(c)}</figure>",
        _table(["offering"] + [f + (" (unique)" if f == unique else "") for f in c["factors"]],
               [[o["offering"] + (" (ours)" if o["ours"] else "")]
                + [f"{o['scores'][f]:g}" if f in o["scores"] else "no score" for f in c["factors"]]
                for o in c["offerings"]], f"Scores of {c['canvas']}"),
    ])


def experiment_section(e: dict[str, Any]) -> str:
    """One experiment's story: what its recommendation rests on, plain Welch beneath, the checks and charts."""
    return f"<h4>{html.escape(e['experiment'])}</h4>\n" + experiment_html.outcome(e)


@cache
def _document() -> Template:
    return Template(files("projections.rendering").joinpath("report.html").read_text(encoding="utf-8"))


def render(retros: list[dict[str, Any]], title: str) -> str:
    sections = "\n".join(team_section(r) for r in retros)
    period = f"{retros[0]['from']} to {retros[0]['to']}" if retros else ""
    return _document().substitute(title=html.escape(title), period=html.escape(period), sections=sections).strip()
