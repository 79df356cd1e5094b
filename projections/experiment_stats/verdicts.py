"""Each comparison's verdict (better, worse, harmed…) and the comparison a recommendation rests on.

One judgement of significance serves the recommendation's rules, the ``verdict`` of every row and the
headline the pages lead with, so a page can never call "better" what the recommendation did not.
"""

from __future__ import annotations

from typing import Any

from projections.experiment_stats.config import Plan
from projections.experiment_stats.recommendation import Facts
from projections.experiment_stats.sufficient import Moments

BETTER, WORSE, HARMED, NO_DIFFERENCE, UNTESTED = "better", "worse", "harmed", "no_difference", "untested"
# the rule that decided -> the facts whose rows it rests on (other rules rest on the primary metric)
EVIDENCE = {"guardrail harmed": "harmed", "goal improved": "better", "non-inferior": "non_inferior",
            "goal worsened": "worse"}


def evidence_p(row: dict[str, Any]) -> float | None:
    """The p a row is judged by: adjusted for goals, raw for guardrails (a missed harm costs more)."""
    return row["p_adjusted"] if row["role"] == "goal" else row["p_value"]


def direction(plan: Plan, row: dict[str, Any]) -> int:
    """+1 significantly better, -1 significantly worse (in the metric's direction), 0 neither."""
    if row["abs_diff"] is None:
        return 0
    if plan.engine == "bayesian":
        ctw = row["chance_to_win"]
        if ctw is None:
            return 0
        return 1 if ctw >= 1 - plan.alpha else -1 if ctw <= plan.alpha else 0
    p = evidence_p(row)
    if p is None or p >= plan.alpha:
        return 0
    good = row["abs_diff"] > 0 if plan.higher_is_better(row["metric"]) else row["abs_diff"] < 0
    return 1 if good else -1


def verdict(plan: Plan, row: dict[str, Any]) -> str:
    tested = row["chance_to_win"] if plan.engine == "bayesian" else row["p_value"]
    if tested is None:
        return UNTESTED
    sign = direction(plan, row)
    if sign < 0:
        return HARMED if row["role"] == "guardrail" else WORSE
    return BETTER if sign > 0 else NO_DIFFERENCE


def facts(plan: Plan, comparisons: list[dict[str, Any]], srm: dict[str, Any], power: dict[str, Any],
          data: dict[tuple[str, str], Moments], status: str, observational: bool) -> Facts:
    found = Facts(status=status, observational=observational, srm=srm, n_needed=power["n_per_arm_needed"])
    primary = [c for c in comparisons if c["metric"] == plan.metric]
    found.missing = [reason for c in primary for reason in c["because"] if c["p_value"] is None]
    if len(plan.arms) < 2 or not primary:
        found.missing.append("the experiment has no treatment arm")
    found.n_smallest = min((data.get((a, plan.metric), Moments(n=0)).n for a in plan.arms), default=0)
    for row in comparisons:
        judged = row["verdict"]
        if judged == HARMED:
            found.harmed.append(row)
        elif judged == BETTER and row["role"] == "goal":
            found.better.append(row)
        elif judged == WORSE:
            found.worse.append(row)
        ni = row["non_inferiority_p_value"]
        if ni is not None and ni < plan.alpha:
            found.non_inferior.append(row)
    return found


def _strength(plan: Plan, row: dict[str, Any]) -> float:
    """Smaller is stronger evidence: the judged p, or how far the chance to win is from a coin toss."""
    if plan.engine == "bayesian":
        ctw = row["chance_to_win"]
        return 1.0 if ctw is None else 0.5 - abs(ctw - 0.5)
    p = evidence_p(row)
    return 2.0 if p is None else p


def basis(plan: Plan, comparisons: list[dict[str, Any]], found: Facts, rule: str) -> dict[str, Any] | None:
    """{arm, metric, rule}: the comparison the recommendation rests on (the strongest of the rows its
    rule names, the primary metric first), or the primary metric's strongest when the rule names none."""
    rows: list[dict[str, Any]] = getattr(found, EVIDENCE[rule]) if rule in EVIDENCE else []
    if not rows:
        rows = [c for c in comparisons if c["metric"] == plan.metric]
        if rule in ("sample ratio mismatch", "not enough data"):
            rows = rows[:1]  # nothing to weigh: the §4 pair
    if not rows:
        return None
    best = min(rows, key=lambda r: (r["metric"] != plan.metric, _strength(plan, r)))
    return {"arm": best["arm"], "metric": best["metric"], "rule": rule}
