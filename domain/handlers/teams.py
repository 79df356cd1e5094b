"""Steps 5-8: teams, members, rules, authority, metrics and readings, reward schemes."""

from __future__ import annotations

from domain import commands as c
from domain.audit import Audit
from domain.handlers.keys import new_key
from domain.metric import Metric, Reading
from domain.service.unit_of_work import UnitOfWork
from domain.team import Team


def form_team(uow: UnitOfWork, cmd: c.FormTeam, audit: Audit) -> None:
    uow.require_absent(Team, cmd.team)
    uow.add(Team(key=cmd.team, name=cmd.name, audit=audit))


def add_member(uow: UnitOfWork, cmd: c.AddMember, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.add_member(cmd.person, cmd.role, cmd.lead, audit=audit)
    uow.add(team)


def remove_member(uow: UnitOfWork, cmd: c.RemoveMember, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.remove_member(cmd.person, audit=audit)
    uow.add(team)


def set_communication_rules(uow: UnitOfWork, cmd: c.SetCommunicationRules, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.set_communication_rules(list(cmd.rules), audit=audit)
    uow.add(team)


def grant_authority(uow: UnitOfWork, cmd: c.GrantAuthority, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.grant_authority(cmd.authority, cmd.description, audit=audit)
    uow.add(team)


def revoke_authority(uow: UnitOfWork, cmd: c.RevokeAuthority, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.revoke_authority(cmd.authority, audit=audit)
    uow.add(team)


def choose_reward_scheme(uow: UnitOfWork, cmd: c.ChooseRewardScheme, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    scheme = cmd.model_dump(include={
        "variant", "share", "carry_forward_losses", "team_weight", "split", "base_pay", "hours", "cadence"
    })
    team.choose_reward_scheme(scheme, audit=audit)
    uow.add(team)


def define_metric(uow: UnitOfWork, cmd: c.DefineMetric, audit: Audit) -> None:
    uow.require_absent(Metric, cmd.metric)
    uow.add(Metric(key=cmd.metric, name=cmd.name, unit=cmd.unit, direction=cmd.direction, audit=audit))


def record_reading(uow: UnitOfWork, cmd: c.RecordReading, audit: Audit) -> None:
    uow.refer(Metric, cmd.metric)
    uow.add(Reading(key=new_key(cmd), metric=cmd.metric, value=cmd.value, audit=audit))
