"""Handlers of ``domain.handlers.people`` through the ledger on the in-memory store: people, the council
and clients' representatives, and what each refuses."""

from __future__ import annotations

from domain.client import Client
from domain.person import Person
from domain.service.ledger import Ledger
from tests.support.ledger import AT, accept, later, reject
from tests.support.scenario import Scenario


class TestPeople:
    def test_registers_appoints_dismisses_and_represents(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).person("ann", "Ann A.").person("rep").client("diner").council("ann"),
               later("RepresentClient", client="diner", person="rep"),
               later("DismissCouncil", person="ann"))
        ann = ledger.state(Person, "ann")
        assert ann is not None and (ann.name, ann.council) == ("Ann A.", False)
        diner = ledger.state(Client, "diner")
        assert diner is not None and diner.representatives == {"rep"}

    def test_what_the_people_steps_refuse(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).person("ann").client("diner").council("ann").represent("ann"))
        reject(ledger, later("RegisterPerson", person="ann", name="Again"), "person 'ann' already exists")
        reject(ledger, later("AppointCouncil", person="ann"), "ann is already on the council")
        reject(ledger, later("AppointCouncil", person="ghost"), "unknown person 'ghost'")
        reject(ledger, later("RepresentClient", client="diner", person="ann"), "ann already represents client diner")
        reject(ledger, later("RepresentClient", client="diner", person="ghost"), "unknown person 'ghost'")
        accept(ledger, later("DismissCouncil", person="ann"))
        reject(ledger, later("DismissCouncil", person="ann"), "ann is not on the council")
