"""Step 9: experiments, observations, arm summaries, error reviews, process changes."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, model_validator

from domain.commands.fields import Command, Decision, ExperimentDesign, Key, NewKey, Number, Text

# Step 9: experiments and improvement -------------------------------------------------


class ExperimentPrior(BaseModel):
    """A proper normal prior on the relative lift for the Bayesian engine (default: improper, flat)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    mean: Number = 0.0
    stddev: Annotated[Number, Field(gt=0)]


class ProposeExperiment(Command):
    type: Literal["ProposeExperiment"]
    experiment: NewKey
    team: Key
    hypothesis: Text
    metric: Key
    design: ExperimentDesign
    promise: Key | None = None
    # The analysis plan (docs/brief.md §6); the first arm is the control.
    arms: list[NewKey] = Field(default=["control", "treatment"], min_length=2, max_length=26)
    weights: list[Annotated[Number, Field(gt=0)]] | None = None
    alpha: Annotated[Number, Field(gt=0, lt=1)] = 0.05
    mde: Annotated[Number, Field(gt=0)] | None = None
    power: Annotated[Number, Field(gt=0, lt=1)] = 0.8
    engine: Literal["frequentist", "bayesian"] = "frequentist"
    sequential: bool = False
    tuning: Annotated[Number, Field(ge=1)] = 5000.0
    correction: Literal["holm", "benjamini_hochberg", "none"] = "holm"
    guardrails: list[Key] = []
    kind: Literal["mean", "proportion"] = "mean"
    non_inferiority_margin: Annotated[Number, Field(gt=0)] | None = None
    prior: ExperimentPrior | None = None

    @model_validator(mode="after")
    def _consistent_plan(self) -> ProposeExperiment:
        if len(set(self.arms)) != len(self.arms):
            raise ValueError("arms must be distinct")
        if self.weights is not None and len(self.weights) != len(self.arms):
            raise ValueError(f"weights must have one entry per arm ({len(self.arms)})")
        if self.metric in self.guardrails:
            raise ValueError("the primary metric cannot also be a guardrail")
        return self

    def plan(self) -> dict[str, Any]:
        """The analysis plan as stored with the Proposed event."""
        return self.model_dump(mode="json", include={
            "arms", "weights", "alpha", "mde", "power", "engine", "sequential", "tuning", "correction",
            "guardrails", "kind", "non_inferiority_margin", "prior",
        })


class StartExperiment(Command):
    type: Literal["StartExperiment"]
    experiment: Key


class RecordObservation(Command):
    type: Literal["RecordObservation"]
    experiment: Key
    arm: Key  # one of the experiment's arms (checked against it)
    value: Number
    metric: Key | None = None  # default: the experiment's primary metric
    covariate: Number | None = None  # the unit's pre-period value, for CUPED


def _summable(value: float) -> float:
    """Sums of many values may exceed the per-value bound, but must stay far from overflow."""
    if not math.isfinite(value) or abs(value) > 1e300:
        raise ValueError("must be a finite number of at most 1e300 in absolute value")
    return float(value)


Sum = Annotated[float, Field(strict=True), AfterValidator(_summable)]


class RecordArmSummary(Command):
    """Sufficient statistics of one arm, as analytics tools export them."""

    type: Literal["RecordArmSummary"]
    experiment: Key
    arm: Key
    metric: Key | None = None
    n: Annotated[StrictInt, Field(ge=1, le=10**12)]
    sum: Sum
    sum_squares: Annotated[Sum, Field(ge=0)]
    covariate_sum: Sum | None = None
    covariate_sum_squares: Annotated[Sum, Field(ge=0)] | None = None
    cross_sum: Sum | None = None

    @model_validator(mode="after")
    def _covariate_sums_together(self) -> RecordArmSummary:
        given = [v is not None for v in (self.covariate_sum, self.covariate_sum_squares, self.cross_sum)]
        if any(given) and not all(given):
            raise ValueError("covariate_sum, covariate_sum_squares and cross_sum go together")
        return self


class ConcludeExperiment(Command):
    type: Literal["ConcludeExperiment"]
    experiment: Key
    decision: Decision
    learning: Text


class RecordErrorReview(Command):
    type: Literal["RecordErrorReview"]
    review: NewKey
    team: Key
    what_happened: Text
    cause: Text
    lesson: Text
    promise: Key | None = None


class RecordProcessChange(Command):
    type: Literal["RecordProcessChange"]
    change: NewKey
    team: Key
    description: Text
    experiment: Key | None = None
    review: Key | None = None


class AdoptSolution(Command):
    """Step 7 (docs/brief.md §11): ``team`` takes up the change of an experiment concluded ``adopt``; the effect
    is measured on ``metric``, one of the adopting team's own metrics."""

    type: Literal["AdoptSolution"]
    experiment: Key
    team: Key
    metric: Key
    reason: Text  # why the team takes it up
