"""People who act on the ledger as themselves (docs/brief.md §5): registered by the council, some of them council."""

from __future__ import annotations

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, PersonalFields


class Person(LedgerAggregate):
    """A person with a key (the ``person`` of memberships and tokens), a name and an optional email.

    Council membership lives here: the council owns the rules and the money, so the policy asks
    "is this person on the council now?" of this one aggregate.
    """

    KIND = "person"
    PERSONAL_FIELDS = PersonalFields("domain.commands.people:RegisterPerson")

    @event("Registered")
    def __init__(self, key: str, name: str, email: str | None, audit: Audit) -> None:
        self.key = key
        self.name = name
        self.email = email
        self.council = False

    @event("AppointedToCouncil")
    def appoint_to_council(self, audit: Audit) -> None:
        self.check_time(audit)
        if self.council:
            raise DomainError(f"{self.key} is already on the council")
        self.council = True

    @event("DismissedFromCouncil")
    def dismiss_from_council(self, audit: Audit) -> None:
        self.check_time(audit)
        if not self.council:
            raise DomainError(f"{self.key} is not on the council")
        self.council = False
