"""Steps 5-6: promises to clients and internal promises between teams, negotiated then agreed."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate

TERMS = ("statement", "metric", "target", "period", "promisee", "objective")


class Promise(LedgerAggregate):
    """A promise moves proposed -> (counter-proposed)* -> agreed -> (amended)* -> retired.

    An amendment is proposed by one side, then accepted (the terms change) or declined (they stay).
    Terms on the table (a proposal, or a pending amendment) are in force once both sides consented
    (docs/brief.md §10): each proposal carries the sides whose consent it brings (``consented``),
    ``Consented`` records one side's consent that does not yet complete them, and ``Agreed`` /
    ``Amended`` mean the terms are in force.

    While proposed, counter-proposals change the terms on the table; once agreed, only an
    amendment (with a reason) changes them, as a new version in force from its business time.
    """

    KIND = "promise"

    class Proposed(LedgerAggregate.Created):
        """``requires`` (the authorities needed to keep the promise) came with docs/brief.md §5; older proposals
        required none. ``objective`` (the share of periods to keep) came with docs/brief.md §9; older
        proposals had none."""

        key: str
        promisor: str
        promisee: str
        statement: str
        metric: str
        target: float
        period: str
        parent: str | None
        requires: list[str]
        consented: list[str]
        objective: float | None
        class_version = 4

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["requires"] = []

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """``consented`` came with docs/brief.md §10; before it the proposing (promisor) side's proposal was
            its consent."""
            state["consented"] = ["promisor"]

        @staticmethod
        def upcast_v3_v4(state: dict[str, Any]) -> None:
            state["objective"] = None

    class CounterProposed(LedgerAggregate.Event):
        """``side`` (``promisor`` or ``promisee``: who made this proposal) came with docs/brief.md §5; None before."""

        changes: dict[str, Any]
        side: str | None
        consented: list[str]
        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["side"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """``consented`` came with docs/brief.md §10; before it a proposal was its side's consent."""
            state["consented"] = [state["side"]] if state["side"] else []

    class AmendmentProposed(LedgerAggregate.Event):
        """``consented`` (the sides whose consent the proposal brings) came with docs/brief.md §10; before it a
        proposal was its side's consent."""

        changes: dict[str, Any]
        side: str | None
        consented: list[str]
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["consented"] = [state["side"]] if state["side"] else []

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
        consented: list[str],
        audit: Audit,
        objective: float | None = None,
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
        self.objective = objective
        self.status = "proposed"
        self.proposal_side: str | None = "promisor"  # the side that made the latest proposal
        self.consents: set[str] = set(consented)  # the sides that consented to the proposal on the table
        self.pending_amendment: dict[str, Any] | None = None

    def waiting_sides(self) -> set[str]:
        """The sides whose consent the terms on the table (the proposal, or the pending amendment) still need."""
        if self.status == "proposed":
            return {"promisor", "promisee"} - self.consents
        if self.status == "agreed" and self.pending_amendment is not None:
            return {"promisor", "promisee"} - set(self.pending_amendment["consents"])
        return set()

    def _apply_changes(self, changes: dict[str, Any]) -> None:
        unknown = set(changes) - set(TERMS)
        if unknown:
            raise DomainError(f"promise {self.key}: cannot change {', '.join(sorted(unknown))}")
        if changes.get("promisee") == self.promisor:
            raise DomainError(f"promise {self.key}: a team cannot promise to itself")
        for name, value in changes.items():
            setattr(self, name, value)

    @event(CounterProposed)
    def counter_propose(self, changes: dict[str, Any], side: str | None, consented: list[str], audit: Audit) -> None:
        self.check_time(audit)
        if self.status != "proposed":
            raise DomainError(f"promise {self.key} is {self.status}; only a proposed promise can be countered")
        self._apply_changes(changes)
        self.proposal_side = side
        self.consents = set(consented)  # new terms: earlier consents were to other terms

    @event("Consented")
    def consent(self, side: str, audit: Audit) -> None:
        """One side consents to the terms on the table; the other side's consent is still awaited."""
        self.check_time(audit)
        if self.status == "proposed":
            self.consents.add(side)
        elif self.pending_amendment is not None:
            self.pending_amendment["consents"] = sorted({*self.pending_amendment["consents"], side})
        else:
            raise DomainError(f"promise {self.key} is {self.status} and has no terms awaiting consent")

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

    @event(AmendmentProposed)
    def propose_amendment(self, changes: dict[str, Any], side: str | None, consented: list[str],
                          audit: Audit) -> None:
        """One side asks to change agreed terms; nothing changes until the other side accepts."""
        self.check_time(audit)
        self._check_amendment(changes)
        unknown = set(changes) - set(TERMS)
        if unknown:
            raise DomainError(f"promise {self.key}: cannot change {', '.join(sorted(unknown))}")
        if changes.get("promisee") == self.promisor:
            raise DomainError(f"promise {self.key}: a team cannot promise to itself")
        self.pending_amendment = {"changes": dict(changes), "side": side, "reason": audit.reason, "by": audit.actor,
                                  "consents": sorted(consented)}

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
