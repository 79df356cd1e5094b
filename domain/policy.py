"""Who may do what (BRIEF §5): the permission table, and the one function that applies it.

Every channel but the trusted operator's import asks ``may(facts, person, command)`` before a
command is handled; a refusal names the rule it broke (``"<Command>: <who may>"``). The rows
below read like the brief's table. The council owns the rules and the money, but it is not a
stand-in for a team or a client in a negotiation: consent stays real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from domain import commands as c


class Facts(Protocol):
    """What the rules need to know about the world at the command's business time (see ``domain.facts``)."""

    def council(self, person: str) -> bool: ...
    def member(self, team: str | None, person: str) -> bool: ...
    def lead(self, team: str | None, person: str) -> bool: ...
    def in_any_team(self, person: str) -> bool: ...
    def promisor_member(self, promise: str, person: str) -> bool: ...
    def promisor_lead(self, promise: str, person: str) -> bool: ...
    def promisee_side(self, promise: str, person: str) -> bool: ...
    def may_agree(self, promise: str, person: str) -> bool: ...
    def may_accept_amendment(self, promise: str, person: str) -> bool: ...
    def member_of_team_promising_on(self, metric: str, person: str) -> bool: ...
    def feedback_team(self, feedback_id: str) -> str | None: ...
    def experiment_team(self, experiment: str) -> str | None: ...


Check = Callable[[Facts, str, Any], bool]


@dataclass(frozen=True)
class Rule:
    who: str  # the brief's wording: who is allowed
    check: Check


@dataclass(frozen=True)
class Allowed:
    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Refused:
    rule: str
    reason: str

    def __bool__(self) -> bool:
        return False


Decision = Allowed | Refused


def _council(f: Facts, p: str, _: Any) -> bool:
    return f.council(p)


def _team_lead_or_council(f: Facts, p: str, cmd: Any) -> bool:
    return f.lead(cmd.team, p) or f.council(p)


def _any_member_or_council(f: Facts, p: str, _: Any) -> bool:
    return f.in_any_team(p) or f.council(p)


def _member_of(team: Callable[[Facts, Any], str | None]) -> Check:
    return lambda f, p, cmd: f.member(team(f, cmd), p)


_own_team = _member_of(lambda f, cmd: cmd.team)
_experiment_team = _member_of(lambda f, cmd: f.experiment_team(cmd.experiment))

COUNCIL = Rule("council", _council)
TEAM_LEAD = Rule("that team's lead, council", _team_lead_or_council)
ANY_MEMBER = Rule("any team member, council", _any_member_or_council)
TEAM_CONCERNED = Rule("members of the team concerned", _own_team)
EXPERIMENT_TEAM = Rule("members of the team concerned", _experiment_team)
NOBODY = Rule("the trusted operator's import only", lambda f, p, cmd: False)

RULES: dict[type[c.Command], Rule] = {
    c.FormTeam: COUNCIL,
    c.GrantAuthority: COUNCIL,
    c.RevokeAuthority: COUNCIL,
    c.AppointCouncil: COUNCIL,
    c.DismissCouncil: COUNCIL,
    c.PostLedgerEntry: COUNCIL,
    c.ChooseRewardScheme: COUNCIL,
    c.RegisterPerson: COUNCIL,
    c.RepresentClient: COUNCIL,
    c.AddMember: TEAM_LEAD,
    c.RemoveMember: TEAM_LEAD,
    c.SetCommunicationRules: TEAM_LEAD,
    c.IdentifyClient: ANY_MEMBER,
    c.RecordPain: ANY_MEMBER,
    c.DefineValueProposition: ANY_MEMBER,
    c.DrawStrategyCanvas: ANY_MEMBER,
    c.ScoreOffering: ANY_MEMBER,
    c.ChooseUniqueFactor: ANY_MEMBER,
    c.DefineMetric: ANY_MEMBER,
    c.ProposePromise: Rule("a member of the promisor team", lambda f, p, cmd: f.member(cmd.promisor, p)),
    c.CounterPropose: Rule(
        "a member of the promisor team, or the promisee side",
        lambda f, p, cmd: f.promisor_member(cmd.promise, p) or f.promisee_side(cmd.promise, p),
    ),
    c.AgreePromise: Rule(
        "the side that did not make the latest proposal (for a client with no representative, "
        "the promisor team's lead)",
        lambda f, p, cmd: f.may_agree(cmd.promise, p),
    ),
    c.ProposeAmendment: Rule(
        "either side (a member of the promisor team, or the promisee side)",
        lambda f, p, cmd: f.promisor_member(cmd.promise, p) or f.promisee_side(cmd.promise, p),
    ),
    c.AcceptAmendment: Rule(
        "the side that did not propose the amendment", lambda f, p, cmd: f.may_accept_amendment(cmd.promise, p)
    ),
    c.AmendPromise: NOBODY,
    c.RetirePromise: Rule(
        "the promisor team's lead, or the promisee side",
        lambda f, p, cmd: f.promisor_lead(cmd.promise, p) or f.promisee_side(cmd.promise, p),
    ),
    c.RecordReading: Rule(
        "a member of a team that has a promise on that metric, council",
        lambda f, p, cmd: f.member_of_team_promising_on(cmd.metric, p) or f.council(p),
    ),
    c.RecordFeedback: Rule("any authenticated person", lambda f, p, cmd: True),
    c.ResolveFeedback: Rule(
        "members of the team concerned", lambda f, p, cmd: f.member(f.feedback_team(cmd.feedback_id), p)
    ),
    c.ProposeExperiment: TEAM_CONCERNED,
    c.StartExperiment: EXPERIMENT_TEAM,
    c.RecordObservation: EXPERIMENT_TEAM,
    c.RecordArmSummary: EXPERIMENT_TEAM,
    c.ConcludeExperiment: EXPERIMENT_TEAM,
    c.RecordErrorReview: TEAM_CONCERNED,
    c.RecordProcessChange: TEAM_CONCERNED,
}


def rule_name(command_type: str, rule: Rule) -> str:
    return f"{command_type}: {rule.who}"


def may(facts: Facts, person: str, command: c.Command) -> Decision:
    """May ``person`` do ``command`` in the world ``facts`` describes (the state at its business time)?"""
    kind = getattr(command, "type", type(command).__name__)
    rule = RULES.get(type(command), NOBODY)
    if rule.check(facts, person, command):
        return Allowed()
    return Refused(rule_name(kind, rule), f"{person} may not {kind}: allowed to {rule.who}")
