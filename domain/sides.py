"""The two sides of a promise: the promisor team, and the promisee (a team, or a client's representatives).

Negotiation is between sides, not people: terms are in force when both sides consented to them
(docs/brief.md §5, §10). Anyone on a side may propose for it; only some may consent for it: a team
through its leads and the consent holders they named, a client through its representatives (for a
client nobody represents, the promisor team's consent stands for both). The policy and the promise
handlers share these answers.
"""

from __future__ import annotations

from typing import Literal

from domain.audit import TRUSTED_CHANNEL, Audit
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


def may_consent_for_team(uow: UnitOfWork, person: str, team_key: str) -> bool:
    """A lead of the team, or a consent holder a lead named (never an authority: ``requires`` does not count it)."""
    team = uow.find(Team, team_key)
    return team is not None and (person in team.leads or person in team.consent_holders)


def consenting_sides(uow: UnitOfWork, person: str | None, promise: Promise) -> set[Side]:
    """Every side ``person`` may consent for (none for an unknown or absent person)."""
    if not person:
        return set()
    found: set[Side] = set()
    if may_consent_for_team(uow, person, promise.promisor):
        found.add("promisor")
    client = uow.find(Client, promise.promisee)
    if client is None:
        if may_consent_for_team(uow, person, promise.promisee):
            found.add("promisee")
    elif person in client.representatives or (not client.representatives and "promisor" in found):
        found.add("promisee")
    return found


def proposing_side(uow: UnitOfWork, person: str | None, promise: Promise, default: Side | None) -> Side | None:
    """The side a new proposal comes from: the proposer's own side (the side not proposing last, when
    they are on both); ``default`` when the proposer is on neither (the trusted operator's import)."""
    sides = sides_of(uow, person, promise)
    if len(sides) == 1:
        return next(iter(sides))
    if len(sides) == 2:
        return other(promise.proposal_side) or "promisor"
    return default


def consent_of(uow: UnitOfWork, audit: Audit, promise: Promise, sides: set[str]) -> set[str]:
    """Which of ``sides`` the person acting in ``audit`` consents for: those they may consent for; every
    one of them for the trusted operator's import, which records consent given elsewhere (as it always has)."""
    if audit.source == TRUSTED_CHANNEL:
        return set(sides)
    return sides & set(consenting_sides(uow, audit.actor, promise))
