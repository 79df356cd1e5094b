"""Where a proven solution spread, in words, once for the CLI text and the experiment page (docs/brief.md §11).

"bakery adopted it on 2 Mar 2026; Lunch van minutes −4.3 minutes (51.5 → 47.2; p < 0.0001, 20 readings
before vs 20 after), better": the adopting team, when, and the effect on its own metric with the evidence
beside it and, in words, whether it worked there too (by the metric's direction, at the 5% level).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.rendering import experiment_format as f


@dataclass(frozen=True)
class Spread:
    team: str
    words: str  # what follows the team's name: "adopted it on …; <metric> <effect> (<evidence>)"

    @property
    def text(self) -> str:
        return f"{self.team} {self.words}"


ALPHA = 0.05


def verdict(adoption: dict[str, Any]) -> str:
    """Did it work there too: "better" or "worse" by the metric's direction where Welch's p < 0.05, else "no
    significant difference" (or "" without a test)."""
    e = adoption["effect"]
    if e["p_value"] is None or e["abs_diff"] is None:
        return ""
    if e["p_value"] >= ALPHA:
        return "no significant difference"
    lower = adoption.get("direction") == "lower_is_better"
    return "better" if (e["abs_diff"] < 0) == lower else "worse"


def _effect(adoption: dict[str, Any]) -> str:
    e = adoption["effect"]
    name = adoption.get("metric_name") or adoption["metric"]
    if e["abs_diff"] is None:
        return f"{name}: no effect to show yet ({e['because']})"
    places = f.decimals([e["abs_diff"], e["before_mean"], e["after_mean"]])
    unit = f" {adoption['unit']}" if adoption.get("unit") else ""
    change = f.MINUS if e["abs_diff"] < 0 else "+"
    judged = verdict(adoption)
    return (f"{name} {change}{f.number(abs(e['abs_diff']), places)}{unit} ({f.number(e['before_mean'], places)} → "
            f"{f.number(e['after_mean'], places)}; {f.p_value(e['p_value'])}, {e['n_before']} readings before vs "
            f"{e['n_after']} after){', ' + judged if judged else ''}")


def spread(view: dict[str, Any]) -> list[Spread]:
    """One line per adoption of the experiment, oldest first."""
    lines = []
    for adoption in view.get("adoptions") or []:
        at = datetime.fromisoformat(adoption["at"])
        lines.append(Spread(adoption["team"], f"adopted it on {at.day} {at:%b %Y}; {_effect(adoption)}"))
    return lines


def reach(view: dict[str, Any]) -> str:
    """How far it spread: "runs in 2 teams: home-delivery (ran it), bakery"."""
    teams = [view["team"], *(a["team"] for a in view.get("adoptions") or [])]
    others = "".join(f", {team}" for team in teams[1:])
    return f"runs in {len(teams)} team{'s' if len(teams) != 1 else ''}: {teams[0]} (ran it){others}"
