"""docs/brief.md §5: people, the council and clients' representatives."""

from __future__ import annotations

from domain.audit import Audit
from domain.client import Client
from domain.commands.people import AppointCouncil, DismissCouncil, RegisterPerson, RepresentClient
from domain.person import Person
from domain.policy import COUNCIL
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork


@handles(RegisterPerson, rule=COUNCIL)
def register_person(uow: UnitOfWork, cmd: RegisterPerson, audit: Audit) -> None:
    uow.require_absent(Person, cmd.person)
    uow.add(Person(key=cmd.person, name=cmd.name, email=cmd.email, audit=audit))


@handles(AppointCouncil, rule=COUNCIL)
def appoint_council(uow: UnitOfWork, cmd: AppointCouncil, audit: Audit) -> None:
    person = uow.require(Person, cmd.person)
    person.appoint_to_council(audit=audit)
    uow.add(person)


@handles(DismissCouncil, rule=COUNCIL)
def dismiss_council(uow: UnitOfWork, cmd: DismissCouncil, audit: Audit) -> None:
    person = uow.require(Person, cmd.person)
    person.dismiss_from_council(audit=audit)
    uow.add(person)


@handles(RepresentClient, rule=COUNCIL)
def represent_client(uow: UnitOfWork, cmd: RepresentClient, audit: Audit) -> None:
    uow.refer(Person, cmd.person)
    client = uow.require(Client, cmd.client)
    client.name_representative(cmd.person, audit=audit)
    uow.add(client)
