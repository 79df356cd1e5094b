"""An experiment's outcome as terminal text: ``experiment_story``'s sentences, the same the HTML report
and the pages show, with the verdicts coloured (and always written in words)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from projections.rendering.experiment_spread import reach, spread
from projections.rendering.experiment_story import Story, story
from scripts.terminal import printable

COLOURS = {"good": "green", "bad": "red"}


def _t(value: Any) -> str:
    return "" if value is None else escape(printable(value))


def _coloured(text: str, tone: str) -> str:
    colour = COLOURS.get(tone)
    return f"[{colour}]{_t(text)}[/{colour}]" if colour else _t(text)


def headline(console: Console, s: Story, indent: str = "  ") -> None:
    """The recommendation, the comparison it rests on, plain Welch beneath it, the sample ratio and power."""
    console.print(f"{indent}recommendation {_coloured(s.recommendation, s.tone)}: "
                  f"{_t(s.because)}")
    if s.lead is not None:
        console.print(f"{indent}rests on ({_coloured(s.lead.verdict, s.lead.tone)}): {_t(s.lead.text)}")
    if s.plain is not None:
        console.print(f"{indent}unadjusted, as in the JSON headline: {_t(s.plain.text)}")
    console.print(f"{indent}{_coloured(s.srm, 'bad' if s.srm_state == 'mismatch' else '')}")
    console.print(f"{indent}{_t(s.power)}")


def outcome(console: Console, view: dict[str, Any]) -> None:
    """Everything the experiment page shows, as text: headline, every comparison, the effect over time."""
    s = story(view)
    headline(console, s)
    console.print(f"  every arm against {_t(view['plan']['arms'][0])}:")
    for line in s.lines:
        console.print(f"    {_coloured(line.verdict, line.tone)}: {_t(line.text)}")
    if s.over_time:
        over = Table("observed through", "units (control / treatment)", escape("lift [interval]"), "evidence",
                     title=_t(s.over_time_title))
        for row in s.over_time:
            over.add_row(*(_t(c) for c in row))
        console.print(over)
    for note in s.notes:
        console.print(f"  [italic]{_t(note)}[/italic]")


def where_it_spread(console: Console, view: dict[str, Any]) -> None:
    """A proven solution's reach and each adoption's effect on the adopting team (docs/brief.md §11)."""
    if view.get("decision") != "adopt" and not view.get("adoptions"):
        return
    console.print(f"  where the solution spread: {_t(reach(view))}")
    for line in spread(view):
        console.print(f"    {_t(line.text)}")
