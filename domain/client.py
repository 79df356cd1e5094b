"""Steps 1-3: who the client is, what hurts them, and the value we offer them."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, PersonalFields


class Client(LedgerAggregate):
    """An external client, an internal customer, or a partner who only passes value on."""

    KIND = "client"
    PERSONAL_FIELDS = PersonalFields("domain.commands.clients:IdentifyClient")

    @event("Identified")
    def __init__(self, key: str, name: str, kind: str, description: str, audit: Audit) -> None:
        self.key = key
        self.name = name
        self.kind = kind
        self.description = description
        self.pains: dict[str, dict[str, Any]] = {}
        self.propositions: dict[str, dict[str, Any]] = {}
        self.representatives: set[str] = set()

    @event("PainRecorded")
    def record_pain(self, pain: str, description: str, severity: int | None, audit: Audit) -> None:
        self.check_time(audit)
        if pain in self.pains:
            raise DomainError(f"client {self.key} already has pain {pain!r}")
        self.pains[pain] = {"description": description, "severity": severity}

    @event("ValuePropositionDefined")
    def define_value_proposition(
        self,
        proposition: str,
        team: str | None,
        statement: str,
        characteristics: list[str],
        pains: list[str],
        audit: Audit,
    ) -> None:
        self.check_time(audit)
        unknown = [p for p in pains if p not in self.pains]
        if unknown:
            raise DomainError(f"client {self.key} has no pain(s) {', '.join(unknown)}")
        self.propositions[proposition] = {
            "team": team,
            "statement": statement,
            "characteristics": list(characteristics),
            "pains": list(pains),
        }

    @event("RepresentativeNamed")
    def name_representative(self, person: str, audit: Audit) -> None:
        """A person who speaks for this client in negotiations (docs/brief.md §5)."""
        self.check_time(audit)
        if person in self.representatives:
            raise DomainError(f"{person} already represents client {self.key}")
        self.representatives.add(person)
