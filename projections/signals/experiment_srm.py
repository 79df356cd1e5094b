"""``experiment_srm`` (docs/brief.md §9): the split of units does not match the planned weights (SRM p < 0.001, the
analysis's own test): no comparison can be trusted until the assignment is fixed."""

from __future__ import annotations

from typing import Any

from projections.experiment_stats.config import Plan
from projections.signals.experiment_checks import Analysis, experiment_source


def _mismatch(plan: Plan, analysis: Analysis) -> bool:
    return bool(analysis["srm"]["mismatch"])


def _because(plan: Plan, analysis: Analysis) -> dict[str, Any]:
    srm = analysis["srm"]
    return {"p_value": srm["p_value"], "observed": srm["observed"], "weights": list(plan.split)}


experiment_srm = experiment_source("experiment_srm", _mismatch, _because)
