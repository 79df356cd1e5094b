"""An experiment's outcome as HTML, one fragment for the HTML report and the experiment page alike.

Its text is ``experiment_story``'s, so the page, the report and the CLI say the same thing to the digit:
the recommendation and the comparison it rests on first, plain Welch beneath it, the sample ratio and
power always, the cumulative effect over time with its table, then every comparison with its verdict
in words and colour. Every data string is escaped here; callers embed the result as markup.
"""

from __future__ import annotations

import html
from typing import Any

from projections.rendering.effect_chart import over_time_chart
from projections.rendering.experiment_charts import comparisons_chart, xmr_chart
from projections.rendering.experiment_story import Line, Story, story


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def badge(word: str, tone: str) -> str:
    return f'<span class="verdict tone-{tone}">{_e(word)}</span>'


def _table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    """Cells already escaped; ``data-label`` lets a phone show each row as a card."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td data-label="{_e(h)}">{c}</td>' for h, c in zip(headers, row, strict=True))
                   + "</tr>" for row in rows)
    return (f'<p><strong>{_e(caption)}</strong></p><div class="scroll" tabindex="0" role="region" '
            f'aria-label="{_e(caption)}"><table class="stack"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")


def headline(s: Story) -> str:
    parts = [f'<p class="recommendation">{badge("recommendation: " + s.recommendation, s.tone)} {_e(s.because)}</p>']
    if s.lead is not None:
        parts.append(f'<p class="lead">Rests on {badge(s.lead.verdict, s.lead.tone)}: <strong>{_e(s.lead.text)}'
                     "</strong></p>")
    if s.plain is not None:
        parts.append(f'<p class="plain">Unadjusted, as in the JSON headline: {_e(s.plain.text)}</p>')
    parts.append(f'<ul class="health"><li>{badge(s.srm_state, "bad" if s.srm_state == "mismatch" else "neutral")} '
                 f"{_e(s.srm)}</li><li>{_e(s.power)}</li></ul>")
    return "\n".join(parts)


def _row(line: Line) -> list[str]:
    return [_e(line.pair), _e(line.role), badge(line.verdict, line.tone), _e(line.difference), _e(line.lift),
            _e(line.evidence), _e(line.method)]


def outcome(e: dict[str, Any]) -> str:
    """The whole outcome: headline, over-time chart and table, every comparison, and a before/after's XmR."""
    s = story(e)
    parts = [headline(s)]
    if e.get("over_time") is not None:
        parts.append(over_time_chart(e, s))
        parts.append(f"<details><summary>The cumulative lift as a table ({_e(len(s.over_time))} points)</summary>"
                     + _table(f"{s.over_time_title}, everything observed through each {e['over_time']['unit']}",
                              ["observed through", "units (control / treatment)", "lift [interval]", "evidence"],
                              [[_e(c) for c in row] for row in s.over_time]) + "</details>")
    parts.append(comparisons_chart(e))
    parts.append(_table(f"Every arm against {e['plan']['arms'][0]}",
                        ["comparison", "role", "verdict", "difference", "lift", "evidence", "method"],
                        [_row(line) for line in s.lines]))
    if e["design"] == "before_after":
        parts.append(xmr_chart(e))
    parts.extend(f'<p class="note">{_e(note)}</p>' for note in s.notes)
    return "\n".join(parts)
