"""``experiment_guardrail_harmed`` (docs/brief.md §9): a guardrail metric moved significantly the wrong way (the
comparison's own verdict ``harmed``, judged by its raw p as the recommendation judges it)."""

from __future__ import annotations

from typing import Any

from projections.experiment_stats.config import Plan
from projections.experiment_stats.verdicts import HARMED
from projections.signals.experiment_checks import Analysis, experiment_source


def _harmed(plan: Plan, analysis: Analysis) -> list[dict[str, Any]]:
    return [c for c in analysis["comparisons"] if c["role"] == "guardrail" and c["verdict"] == HARMED]


def _because(plan: Plan, analysis: Analysis) -> dict[str, Any]:
    row = _harmed(plan, analysis)[0]
    return {"arm": row["arm"], "metric": row["metric"], "p_value": row["p_value"], "abs_diff": row["abs_diff"]}


experiment_guardrail_harmed = experiment_source("experiment_guardrail_harmed",
                                                lambda plan, analysis: bool(_harmed(plan, analysis)), _because)
