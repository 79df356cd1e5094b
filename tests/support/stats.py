"""Shared helpers of the experiment-statistics tests: run the analysis on raw arrays."""

from __future__ import annotations

from typing import Any

from projections.experiment_stats.analysis import analyse
from projections.experiment_stats.config import Plan
from projections.experiment_stats.sufficient import Moments, from_values

REL = 1e-9


def run(arms: dict[str, list[float]], covariates: dict[str, list[float]] | None = None,
        status: str = "running", **plan: Any) -> dict[str, Any]:
    """The analysis of one metric ``m`` whose arms hold the given raw values (first arm = control)."""
    data: dict[tuple[str, str], Moments] = {
        (arm, "m"): from_values(values, covariates[arm] if covariates else None) for arm, values in arms.items()
    }
    return analyse(Plan(metric="m", arms=tuple(arms), **plan), data, status)


def row(result: dict[str, Any], arm: str = "treatment", metric: str = "m") -> dict[str, Any]:
    return next(c for c in result["comparisons"] if c["arm"] == arm and c["metric"] == metric)
