"""Who may do what (docs/brief.md §5): the permission table, and the one function that applies it.

Every channel but the trusted operator's import asks ``may(facts, person, command)`` before a
command is handled; a refusal names the rule it broke (``"<Command>: <who may>"``). The rules
below read like the brief's table; each handler names its command's rule beside it
(``@handles(FormTeam, rule=COUNCIL)``), which fills ``RULES``. The council owns the rules and the money, but it is not a
stand-in for a team or a client in a negotiation: consent stays real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from domain.commands.fields import Command


class Facts(Protocol):
    """What the rules need to know about the world at the command's business time (see ``domain.facts``)."""

    def council(self, person: str) -> bool: ...
    def member(self, team: str | None, person: str) -> bool: ...
    def lead(self, team: str | None, person: str) -> bool: ...
    def consents_for_team(self, team: str | None, person: str) -> bool: ...
    def in_any_team(self, person: str) -> bool: ...
    def represents(self, client: str, person: str) -> bool: ...
    def represents_any(self, person: str) -> bool: ...
    def promisor_member(self, promise: str, person: str) -> bool: ...
    def promisee_side(self, promise: str, person: str) -> bool: ...
    def may_consent_now(self, promise: str, person: str) -> bool: ...
    def may_consent_for_a_side(self, promise: str, person: str) -> bool: ...
    def proposed_pending_amendment(self, promise: str, person: str) -> bool: ...
    def member_of_team_promising_on(self, metric: str, person: str) -> bool: ...
    def metric_owner(self, metric: str) -> str | None: ...
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
ADOPTING_TEAM = Rule("the adopting team's lead or a consent holder",
                     lambda f, p, cmd: f.consents_for_team(cmd.team, p))
FEEDBACK_TEAM = Rule(
    "members of the team concerned", lambda f, p, cmd: f.member(f.feedback_team(cmd.feedback_id), p)
)
FEEDBACK_ASSIGNER = Rule(  # docs/brief.md §9: a complaint naming no team
    "council, or a member taking it for their own team", lambda f, p, cmd: f.council(p) or f.member(cmd.team, p)
)
PROMISOR_MEMBER = Rule("a member of the promisor team", lambda f, p, cmd: f.member(cmd.promisor, p))
NEGOTIATING_SIDE = Rule(
    "a member of the promisor team, or the promisee side",
    lambda f, p, cmd: f.promisor_member(cmd.promise, p) or f.promisee_side(cmd.promise, p),
)
EITHER_SIDE = Rule("either side (a member of the promisor team, or the promisee side)", NEGOTIATING_SIDE.check)
# docs/brief.md §10: a side consents through its team's lead or a consent holder the lead named, or a client's
# representative (for a client nobody represents, the promisor team's consent stands for both).
_CONSENT = "the lead or a consent holder of {sides} (for a client, its representatives; for a client nobody " \
           "represents, the promisor team's lead or consent holder)"
WAITING_SIDE_CONSENTS = Rule(
    _CONSENT.format(sides="a side that has not yet consented to the terms"),
    lambda f, p, cmd: f.may_consent_now(cmd.promise, p),
)
EITHER_SIDE_CONSENTS = Rule(
    _CONSENT.format(sides="either side"), lambda f, p, cmd: f.may_consent_for_a_side(cmd.promise, p)
)
PROPOSER_OR_EITHER_SIDE_CONSENTS = Rule(
    _CONSENT.format(sides="either side") + ", or the amendment's proposer withdrawing it",
    lambda f, p, cmd: f.may_consent_for_a_side(cmd.promise, p) or f.proposed_pending_amendment(cmd.promise, p),
)
def _reads_metric(f: Facts, p: str, cmd: Any) -> bool:
    """docs/brief.md §10: a metric's readings come from its owner team; without an owner, from a team with a
    promise in force on it (§5; a proposal nobody agreed to would let anyone in). A promise on another team's
    metric measures it, and gives no right to its readings."""
    owner = f.metric_owner(cmd.metric)
    return f.member(owner, p) if owner is not None else f.member_of_team_promising_on(cmd.metric, p)


def _naming_own_team(field: str) -> Check:
    """Any member, but a command naming a team (``field``) only from a member of that team; the council any.
    Naming a team makes it concerned with the client (docs/brief.md §10), so nobody may name another's."""
    def check(f: Facts, p: str, cmd: Any) -> bool:
        team = getattr(cmd, field)
        return f.council(p) or (f.member(team, p) if team is not None else f.in_any_team(p))
    return check


METRIC_DEFINER = Rule("any team member (as owner, only their own team), council", _naming_own_team("owner"))
NAMED_TEAM = Rule("any team member (naming a team, only a member of the named team), council",
                  _naming_own_team("team"))
READING_TEAM = Rule(
    "members of the metric's owner team (a metric without an owner: a member of a team that has a promise in "
    "force on that metric), council",
    lambda f, p, cmd: _reads_metric(f, p, cmd) or f.council(p),
)
ANYONE = Rule("any authenticated person", lambda f, p, cmd: True)
FEEDBACK_GIVER = Rule(  # docs/brief.md §10: an external client speaks for its own clients, not for others
    "any authenticated person; an external client (in no team, representing clients) only for the clients they "
    "represent",
    lambda f, p, cmd: (f.in_any_team(p) or f.council(p) or f.represents(cmd.client, p)
                       or not f.represents_any(p)),
)
NOBODY = Rule("the trusted operator's import only", lambda f, p, cmd: False)

RULES: dict[type[Command], Rule] = {}
"""Each command's rule, as its handler declares it (``@handles(Model, rule=...)``, ``domain.registry``):
complete once ``domain.handlers`` is imported."""


def rule_name(command_type: str, rule: Rule) -> str:
    return f"{command_type}: {rule.who}"


def may(facts: Facts, person: str, command: Command) -> Decision:
    """May ``person`` do ``command`` in the world ``facts`` describes (the state at its business time)?"""
    kind = getattr(command, "type", type(command).__name__)
    rule = RULES.get(type(command), NOBODY)
    if rule.check(facts, person, command):
        return Allowed()
    return Refused(rule_name(kind, rule), f"{person} may not {kind}: allowed to {rule.who}")
