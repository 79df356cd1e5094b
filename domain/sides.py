"""The two sides of a promise: the promisor team, and the promisee (a team, or a client's representatives).

Negotiation is between sides, not people: a proposal is made by one side and agreed by the other,
so both consent (docs/brief.md §5). The policy and the promise handlers share these answers.
"""

from __future__ import annotations

from typing import Literal

from domain.client import Client
from domain.promise import Promise
from domain.service.unit_of_work import UnitOfWork
from domain.team import Team

Side = Literal["promisor", "promisee"]


def other(side: str | None) -> Side | None:
    return "promisee" if side == "promisor" else "promisor" if side == "promisee" else None


def on_promisor_side(uow: UnitOfWork, person: str, promise: Promise) -> bool:
    team = uow.find(Team, promise.promisor)
    return team is not None and person in team.members


def on_promisee_side(uow: UnitOfWork, person: str, promise: Promise) -> bool:
    """A member of the promisee team, or a representative of the promisee client."""
    team = uow.find(Team, promise.promisee)
    if team is not None:
        return person in team.members
    client = uow.find(Client, promise.promisee)
    return client is not None and person in client.representatives


def sides_of(uow: UnitOfWork, person: str | None, promise: Promise) -> set[Side]:
    """Every side ``person`` belongs to (none for an unknown or absent person)."""
    if not person:
        return set()
    found: set[Side] = set()
    if on_promisor_side(uow, person, promise):
        found.add("promisor")
    if on_promisee_side(uow, person, promise):
        found.add("promisee")
    return found


def client_without_representative(uow: UnitOfWork, promise: Promise) -> bool:
    """A promise to a client nobody speaks for: the promisor team's lead agrees on the client's behalf."""
    client = uow.find(Client, promise.promisee)
    return client is not None and not client.representatives


def proposing_side(uow: UnitOfWork, person: str | None, promise: Promise, default: Side | None) -> Side | None:
    """The side a new proposal comes from: the proposer's own side (the side not proposing last, when
    they are on both); ``default`` when the proposer is on neither (the trusted operator's import)."""
    sides = sides_of(uow, person, promise)
    if len(sides) == 1:
        return next(iter(sides))
    if len(sides) == 2:
        return other(promise.proposal_side) or "promisor"
    return default
