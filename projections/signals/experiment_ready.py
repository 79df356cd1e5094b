"""``experiment_ready`` (docs/brief.md §9): time to decide. The smallest arm reached the units per arm the plan's
minimum detectable effect needs (the analysis's power block), or a sequential experiment's always-valid test
reached a decision (its recommendation is ship or rollback)."""

from __future__ import annotations

from typing import Any

from projections.experiment_stats.config import Plan
from projections.signals.experiment_checks import Analysis, experiment_source


def smallest_arm(plan: Plan, analysis: Analysis) -> int:
    primary = [c for c in analysis["comparisons"] if c["metric"] == plan.metric]
    return min((n for c in primary for n in (c["n_control"], c["n_treatment"])), default=0)


def is_ready(plan: Plan, analysis: Analysis) -> bool:
    needed = analysis["power"]["n_per_arm_needed"]
    return (needed is not None and smallest_arm(plan, analysis) >= needed) or (
        plan.sequential and analysis["recommendation"] in ("ship", "rollback"))


def _because(plan: Plan, analysis: Analysis) -> dict[str, Any]:
    return {"n_smallest_arm": smallest_arm(plan, analysis), "n_per_arm_needed": analysis["power"]["n_per_arm_needed"],
            "sequential": plan.sequential, "recommendation": analysis["recommendation"]}


experiment_ready = experiment_source("experiment_ready", is_ready, _because)
