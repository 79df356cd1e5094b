"""Step 4: the strategy canvas - factors, how each offering scores, and the factor we win on."""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate


class StrategyCanvas(LedgerAggregate):
    """A Blue Ocean canvas: our offering and the alternatives scored on the same factors."""

    KIND = "canvas"

    @event("Drawn")
    def __init__(self, key: str, client: str, team: str | None, factors: list[str], audit: Audit) -> None:
        if len(set(factors)) != len(factors):
            raise DomainError(f"canvas {key}: factors must be distinct")
        self.key = key
        self.client = client
        self.team = team
        self.factors = list(factors)
        self.offerings: dict[str, dict[str, float]] = {}
        self.ours: str | None = None
        self.unique_factor: str | None = None

    def _check_factors(self, factors: list[str]) -> None:
        unknown = [f for f in factors if f not in self.factors]
        if unknown:
            raise DomainError(f"canvas {self.key} has no factor(s) {', '.join(unknown)}")

    @event("OfferingScored")
    def score_offering(self, offering: str, ours: bool, scores: dict[str, float], audit: Audit) -> None:
        self.check_time(audit)
        self._check_factors(list(scores))
        if ours and self.ours not in (None, offering):
            raise DomainError(f"canvas {self.key}: our offering is already {self.ours!r}")
        self.offerings[offering] = dict(scores)
        if ours:
            self.ours = offering

    @event("UniqueFactorChosen")
    def choose_unique_factor(self, factor: str, audit: Audit) -> None:
        self.check_time(audit)
        self._check_factors([factor])
        self.unique_factor = factor
