"""Steps 5-6: promises to clients and internal promises between teams, negotiated then agreed."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate

TERMS = ("statement", "metric", "target", "period", "promisee")


class Promise(LedgerAggregate):
    """A promise moves proposed -> (counter-proposed)* -> agreed -> (amended)* -> retired.

    An amendment is proposed by one side, then accepted (the terms change) or declined (they stay).

    While proposed, counter-proposals change the terms on the table; once agreed, only an
    amendment (with a reason) changes them, as a new version in force from its business time.
    """

    KIND = "promise"

    class Proposed(LedgerAggregate.Created):
        """``requires`` (the authorities needed to keep the promise) came with docs/brief.md §5; older proposals
        required none."""

        key: str
        promisor: str
        promisee: str
        statement: str
        metric: str
        target: float
        period: str
        parent: str | None
        requires: list[str]
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["requires"] = []

    class CounterProposed(LedgerAggregate.Event):
        """``side`` (``promisor`` or ``promisee``: who made this proposal) came with docs/brief.md §5; None before."""

        changes: dict[str, Any]
        side: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["side"] = None

    @event(Proposed)
    def __init__(
        self,
        key: str,
        promisor: str,
        promisee: str,
        statement: str,
        metric: str,
        target: float,
        period: str,
        parent: str | None,
        requires: list[str],
        audit: Audit,
    ) -> None:
        if promisor == promisee:
            raise DomainError(f"promise {key}: a team cannot promise to itself")
        self.key = key
        self.promisor = promisor
        self.promisee = promisee
        self.statement = statement
        self.metric = metric
        self.target = target
        self.period = period
        self.parent = parent
        self.requires = list(requires)
        self.status = "proposed"
        self.proposal_side: str | None = "promisor"  # the side that made the latest proposal
        self.pending_amendment: dict[str, Any] | None = None

    def _apply_changes(self, changes: dict[str, Any]) -> None:
        unknown = set(changes) - set(TERMS)
        if unknown:
            raise DomainError(f"promise {self.key}: cannot change {', '.join(sorted(unknown))}")
        if changes.get("promisee") == self.promisor:
            raise DomainError(f"promise {self.key}: a team cannot promise to itself")
        for name, value in changes.items():
            setattr(self, name, value)

    @event(CounterProposed)
    def counter_propose(self, changes: dict[str, Any], side: str | None, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "proposed":
            raise DomainError(f"promise {self.key} is {self.status}; only a proposed promise can be countered")
        self._apply_changes(changes)
        self.proposal_side = side

    @event("Agreed")
    def agree(self, audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "proposed":
            raise DomainError(f"promise {self.key} is {self.status}; only a proposed promise can be agreed")
        self.status = "agreed"

    @event("Amended")
    def amend(self, changes: dict[str, Any], audit: Audit) -> None:
        self.check_time(audit)
        self._check_amendment(changes)
        self._apply_changes(changes)
        self.pending_amendment = None

    @event("AmendmentProposed")
    def propose_amendment(self, changes: dict[str, Any], side: str | None, audit: Audit) -> None:
        """One side asks to change agreed terms; nothing changes until the other side accepts."""
        self.check_time(audit)
        self._check_amendment(changes)
        unknown = set(changes) - set(TERMS)
        if unknown:
            raise DomainError(f"promise {self.key}: cannot change {', '.join(sorted(unknown))}")
        if changes.get("promisee") == self.promisor:
            raise DomainError(f"promise {self.key}: a team cannot promise to itself")
        self.pending_amendment = {"changes": dict(changes), "side": side, "reason": audit.reason, "by": audit.actor}

    @event("AmendmentDeclined")
    def decline_amendment(self, audit: Audit) -> None:
        """The pending amendment is withdrawn (declined by the other side, or by its proposer); the agreed
        terms stay as they are."""
        self.check_time(audit)
        if self.pending_amendment is None:
            raise DomainError(f"promise {self.key} has no amendment waiting to be declined")
        self.pending_amendment = None

    def _check_amendment(self, changes: dict[str, Any]) -> None:
        if self.status != "agreed":
            raise DomainError(
                f"promise {self.key} is {self.status}; only an agreed promise can be amended "
                "(use CounterPropose while it is under negotiation)"
            )
        if "period" in changes and changes["period"] != self.period:
            raise DomainError(
                f"promise {self.key}: the period of an agreed promise cannot change (its compliance history "
                "is counted in it); retire it and propose a new one"
            )

    @event("Retired")
    def retire(self, audit: Audit) -> None:
        self.check_time(audit)
        if self.status == "retired":
            raise DomainError(f"promise {self.key} is already retired")
        self.status = "retired"
        self.pending_amendment = None
