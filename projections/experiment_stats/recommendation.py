"""ship | rollback | continue | inconclusive, from one ordered rule table a team can read.

The first rule whose condition holds decides, and its sentence (filled in with the facts) is the
``because``. Significance is the engine's: frequentist p_adjusted < alpha (sequential p when
``sequential``), Bayesian chance_to_win >= 1 - alpha; "better" follows the metric's direction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Facts:
    """What the rules look at, gathered by ``analysis``."""

    status: str
    observational: bool
    srm: dict[str, Any]
    missing: list[str] = field(default_factory=list)  # why the primary comparison has no test
    better: list[dict[str, Any]] = field(default_factory=list)  # comparison rows significantly better (goals)
    worse: list[dict[str, Any]] = field(default_factory=list)
    harmed: list[dict[str, Any]] = field(default_factory=list)  # guardrails significantly worse
    non_inferior: list[dict[str, Any]] = field(default_factory=list)
    n_needed: int | None = None
    n_smallest: int = 0


Rule = tuple[str, str, Callable[[Facts], str | None]]


def _join(items: list[Any]) -> str:
    """Reasons as they are; comparison rows as "arm on metric"."""
    return ", ".join(f"{i['arm']} on {i['metric']}" if isinstance(i, dict) else str(i) for i in items)


RULES: tuple[Rule, ...] = (
    ("sample ratio mismatch", "inconclusive", lambda f: (
        f"the split of units does not match the planned weights (SRM p = {f.srm['p_value']:.2g} < 0.001): "
        "fix the assignment and restart; no comparison can be trusted" if f.srm.get("mismatch") else None)),
    ("not enough data", "continue", lambda f: (
        f"no test is possible yet: {_join(f.missing)}; keep collecting" if f.missing else None)),
    ("guardrail harmed", "rollback", lambda f: (
        f"a guardrail moved significantly the wrong way ({_join(f.harmed)}): do not ship" if f.harmed else None)),
    ("goal improved", "ship", lambda f: (
        f"significantly better on a goal metric ({_join(f.better)}) and no guardrail harmed" if f.better else None)),
    ("non-inferior", "ship", lambda f: (
        f"not worse than control by the non-inferiority margin ({_join(f.non_inferior)})"
        if f.non_inferior else None)),
    ("goal worsened", "rollback", lambda f: (
        f"significantly worse on a goal metric ({_join(f.worse)})" if f.worse else None)),
    ("underpowered", "continue", lambda f: (
        f"no significant effect yet and {f.n_smallest} units in the smallest arm of the {f.n_needed} "
        "needed per arm to detect the planned effect: keep collecting"
        if f.n_needed is not None and f.n_smallest < f.n_needed else None)),
    ("still running", "continue", lambda f: (
        "no significant effect yet and no planned effect size (mde) to say when to stop: keep collecting "
        "or set mde" if f.status != "concluded" and f.n_needed is None else None)),
    ("no effect", "inconclusive", lambda f: (
        "enough data and no significant difference: the change makes no detectable difference")),
)

OBSERVATIONAL = ("Observational (before/after, not randomised): a change that happened at the same time "
                 "for another reason would look the same. ")


def decide(facts: Facts) -> tuple[str, str, str]:
    """(recommendation, because, the rule's name) from the first matching rule."""
    for name, recommendation, condition in RULES:
        because = condition(facts)
        if because is not None:
            prefix = OBSERVATIONAL if facts.observational else ""
            return recommendation, prefix + because[0].upper() + because[1:] + ".", name
    raise AssertionError("the last rule always matches")
