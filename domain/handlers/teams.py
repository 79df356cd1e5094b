"""Steps 5-8: teams, members, rules, authority, metrics and readings, success metrics, reward schemes."""

from __future__ import annotations

from domain.audit import Audit
from domain.commands.teams import (
    AddMember,
    ChooseRewardScheme,
    DefineMetric,
    DelegateConsent,
    FormTeam,
    GrantAuthority,
    RecordReading,
    RemoveMember,
    RevokeAuthority,
    SetCommunicationRules,
    SetSuccessMetric,
    WithdrawConsent,
)
from domain.handlers.keys import new_key
from domain.metric import Metric, Reading
from domain.policy import COUNCIL, METRIC_DEFINER, READING_TEAM, TEAM_LEAD
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.team import COMPLAINT_TIMES, Team


@handles(FormTeam, rule=COUNCIL)
def form_team(uow: UnitOfWork, cmd: FormTeam, audit: Audit) -> None:
    uow.require_absent(Team, cmd.team)
    uow.add(Team(key=cmd.team, name=cmd.name, audit=audit))


@handles(AddMember, rule=TEAM_LEAD)
def add_member(uow: UnitOfWork, cmd: AddMember, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    if cmd.person not in team.members:  # a member's key stays valid (docs/brief.md §10 "Keys")
        uow.require_person(cmd.person)
    team.add_member(cmd.person, cmd.role, cmd.lead, audit=audit)
    uow.add(team)


@handles(RemoveMember, rule=TEAM_LEAD)
def remove_member(uow: UnitOfWork, cmd: RemoveMember, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.remove_member(cmd.person, audit=audit)
    uow.add(team)


@handles(DelegateConsent, rule=TEAM_LEAD)
def delegate_consent(uow: UnitOfWork, cmd: DelegateConsent, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.delegate_consent(cmd.person, audit=audit)
    uow.add(team)


@handles(WithdrawConsent, rule=TEAM_LEAD)
def withdraw_consent(uow: UnitOfWork, cmd: WithdrawConsent, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.withdraw_consent(cmd.person, audit=audit)
    uow.add(team)


@handles(SetCommunicationRules, rule=TEAM_LEAD)
def set_communication_rules(uow: UnitOfWork, cmd: SetCommunicationRules, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    times = {name: getattr(cmd, name) if name in cmd.model_fields_set else team.complaint_times.get(name)
             for name in COMPLAINT_TIMES}  # left out: the one in force stays (docs/brief.md §9)
    team.set_communication_rules(list(cmd.rules), times, audit=audit)
    uow.add(team)


@handles(GrantAuthority, rule=COUNCIL)
def grant_authority(uow: UnitOfWork, cmd: GrantAuthority, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.grant_authority(cmd.authority, cmd.description, audit=audit)
    uow.add(team)


@handles(RevokeAuthority, rule=COUNCIL)
def revoke_authority(uow: UnitOfWork, cmd: RevokeAuthority, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    team.revoke_authority(cmd.authority, audit=audit)
    uow.add(team)


@handles(ChooseRewardScheme, rule=COUNCIL)
def choose_reward_scheme(uow: UnitOfWork, cmd: ChooseRewardScheme, audit: Audit) -> None:
    team = uow.require(Team, cmd.team)
    scheme = cmd.model_dump(include={
        "variant", "share", "carry_forward_losses", "team_weight", "split", "base_pay", "hours", "cadence"
    })
    team.choose_reward_scheme(scheme, audit=audit)
    uow.add(team)


@handles(SetSuccessMetric, rule=TEAM_LEAD)
def set_success_metric(uow: UnitOfWork, cmd: SetSuccessMetric, audit: Audit) -> None:
    """The metric must already be defined: "unknown metric 'x'" names one nobody defined."""
    team = uow.require(Team, cmd.team)
    uow.refer(Metric, cmd.metric)
    team.set_success_metric(cmd.metric, cmd.target, audit=audit)
    uow.add(team)


@handles(DefineMetric, rule=METRIC_DEFINER)
def define_metric(uow: UnitOfWork, cmd: DefineMetric, audit: Audit) -> None:
    uow.require_absent(Metric, cmd.metric)
    if cmd.owner is not None:
        uow.refer(Team, cmd.owner)
    uow.add(Metric(key=cmd.metric, name=cmd.name, unit=cmd.unit, direction=cmd.direction, owner=cmd.owner,
                   audit=audit))


@handles(RecordReading, rule=READING_TEAM)
def record_reading(uow: UnitOfWork, cmd: RecordReading, audit: Audit) -> None:
    uow.refer(Metric, cmd.metric)
    uow.add(Reading(key=new_key(uow, cmd, Reading), metric=cmd.metric, value=cmd.value, audit=audit))
