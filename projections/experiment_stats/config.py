"""An experiment's analysis plan as proposed (docs/brief.md §6), with the defaults of old experiments."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ARMS = ("control", "treatment")


@dataclass(frozen=True)
class Plan:
    metric: str
    arms: tuple[str, ...] = DEFAULT_ARMS
    weights: tuple[float, ...] | None = None  # None: equal
    alpha: float = 0.05
    mde: float | None = None
    power: float = 0.8
    engine: str = "frequentist"
    sequential: bool = False
    tuning: float = 5000.0
    correction: str = "holm"
    guardrails: tuple[str, ...] = ()
    kind: str = "mean"
    non_inferiority_margin: float | None = None
    prior_mean: float = 0.0
    prior_stddev: float | None = None
    lower_is_better: frozenset[str] = field(default_factory=frozenset)  # metrics whose smaller values are better

    @property
    def split(self) -> tuple[float, ...]:
        return self.weights or tuple(1.0 for _ in self.arms)

    def higher_is_better(self, metric: str) -> bool:
        return metric not in self.lower_is_better

    @classmethod
    def from_json(cls, metric: str, text: str | None, lower_is_better: frozenset[str]) -> Plan:
        """The plan stored with the experiment (JSON of the ProposeExperiment fields; empty for old ones)."""
        raw: dict[str, Any] = json.loads(text) if text else {}
        prior = raw.get("prior") or {}
        return cls(
            metric=metric,
            arms=tuple(raw.get("arms") or DEFAULT_ARMS),
            weights=tuple(raw["weights"]) if raw.get("weights") else None,
            alpha=raw.get("alpha", 0.05), mde=raw.get("mde"), power=raw.get("power", 0.8),
            engine=raw.get("engine", "frequentist"), sequential=bool(raw.get("sequential", False)),
            tuning=float(raw.get("tuning", 5000)), correction=raw.get("correction", "holm"),
            guardrails=tuple(raw.get("guardrails") or ()), kind=raw.get("kind", "mean"),
            non_inferiority_margin=raw.get("non_inferiority_margin"),
            prior_mean=prior.get("mean", 0.0), prior_stddev=prior.get("stddev"),
            lower_is_better=lower_is_better,
        )
