"""BRIEF §5: people, the council and clients' representatives."""

from __future__ import annotations

from domain import commands as c
from domain.audit import Audit
from domain.client import Client
from domain.person import Person
from domain.personal_data import person_subject
from domain.service.unit_of_work import UnitOfWork


def register_person(uow: UnitOfWork, cmd: c.RegisterPerson, audit: Audit) -> None:
    uow.require_absent(Person, cmd.person)
    subject = person_subject(cmd.person)
    uow.add(Person(key=cmd.person, name=uow.sealer.seal(subject, cmd.name),
                   email=uow.sealer.seal_optional(subject, cmd.email), audit=audit))


def appoint_council(uow: UnitOfWork, cmd: c.AppointCouncil, audit: Audit) -> None:
    person = uow.require(Person, cmd.person)
    person.appoint_to_council(audit=audit)
    uow.add(person)


def dismiss_council(uow: UnitOfWork, cmd: c.DismissCouncil, audit: Audit) -> None:
    person = uow.require(Person, cmd.person)
    person.dismiss_from_council(audit=audit)
    uow.add(person)


def represent_client(uow: UnitOfWork, cmd: c.RepresentClient, audit: Audit) -> None:
    uow.refer(Person, cmd.person)
    client = uow.require(Client, cmd.client)
    client.name_representative(cmd.person, audit=audit)
    uow.add(client)
