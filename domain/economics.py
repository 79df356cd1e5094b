"""Step 7: the team's own P&L, posted as immutable ledger entries."""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import LedgerAggregate


class LedgerEntry(LedgerAggregate):
    """Revenue or cost of a team in a month; a correction is a new, opposite entry, never an edit."""

    KIND = "ledger-entry"

    @event("Posted")
    def __init__(
        self, key: str, team: str, period: str, kind: str, amount: float, description: str, audit: Audit
    ) -> None:
        self.key = key
        self.team = team
        self.period = period
        self.kind = kind
        self.amount = amount
        self.description = description
