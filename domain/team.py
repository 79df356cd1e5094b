"""Steps 6-8 for a team: members, communication rules, authority, its success metric, and the reward scheme."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate
from domain.reward_scheme import DEFAULT_REWARD_SCHEME

COMPLAINT_TIMES = ("complaint_response_within", "complaint_resolution_within")
"""The durations a team's rules may give its complaints (docs/brief.md §9), ISO-8601 text."""


class Team(LedgerAggregate):
    """A team that makes promises; its reward scheme is versioned data, never edited in place."""

    KIND = "team"

    @event("Formed")
    def __init__(self, key: str, name: str, audit: Audit) -> None:
        self.key = key
        self.name = name
        self.members: dict[str, str] = {}
        self.leads: set[str] = set()
        self.consent_holders: set[str] = set()
        """People the lead named to consent for the team (docs/brief.md §10), besides the leads."""
        self.rules: list[str] = []
        self.complaint_times: dict[str, str | None] = dict.fromkeys(COMPLAINT_TIMES)
        """The complaint response and resolution durations in force (docs/brief.md §9), None when not set."""
        self.authorities: dict[str, str] = {}
        self.reward_scheme: dict[str, Any] = dict(DEFAULT_REWARD_SCHEME)
        self.reward_scheme_version = 0
        self.success_metric: str | None = None
        self.success_target: float | None = None

    class MemberAdded(LedgerAggregate.Event):
        """``lead`` came with people and roles (docs/brief.md §5); members added before that were not leads."""

        person: str
        role: str
        lead: bool
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["lead"] = False

    @event(MemberAdded)
    def add_member(self, person: str, role: str, lead: bool, audit: Audit) -> None:
        self.check_time(audit)
        if self.members.get(person) == role and (person in self.leads) == lead:
            raise DomainError(f"{person} is already a member of team {self.key} as {role}")
        self.members[person] = role
        if lead:
            self.leads.add(person)
        else:
            self.leads.discard(person)

    @event("MemberRemoved")
    def remove_member(self, person: str, audit: Audit) -> None:
        self.check_time(audit)
        if person not in self.members:
            raise DomainError(f"{person} is not a member of team {self.key}")
        del self.members[person]
        self.leads.discard(person)

    @event("ConsentDelegated")
    def delegate_consent(self, person: str, audit: Audit) -> None:
        self.check_time(audit)
        if person in self.consent_holders:
            raise DomainError(f"{person} already holds team {self.key}'s consent")
        self.consent_holders.add(person)

    @event("ConsentWithdrawn")
    def withdraw_consent(self, person: str, audit: Audit) -> None:
        self.check_time(audit)
        if person not in self.consent_holders:
            raise DomainError(f"{person} does not hold team {self.key}'s consent")
        self.consent_holders.discard(person)

    class CommunicationRulesSet(LedgerAggregate.Event):
        """The complaint durations came with complaint response times (docs/brief.md §9): each event holds the
        durations in force after it, so a rules set before them had none."""

        rules: list[str]
        complaint_times: dict[str, str | None]
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["complaint_times"] = dict.fromkeys(COMPLAINT_TIMES)

    @event(CommunicationRulesSet)
    def set_communication_rules(self, rules: list[str], complaint_times: dict[str, str | None],
                                audit: Audit) -> None:
        self.check_time(audit)
        self.rules = list(rules)
        self.complaint_times = dict(complaint_times)

    @event("AuthorityGranted")
    def grant_authority(self, authority: str, description: str, audit: Audit) -> None:
        self.check_time(audit)
        self.authorities[authority] = description

    @event("AuthorityRevoked")
    def revoke_authority(self, authority: str, audit: Audit) -> None:
        """Allowed even when an agreed promise requires it: the promise then shows an authority gap."""
        self.check_time(audit)
        if authority not in self.authorities:
            raise DomainError(f"team {self.key} does not hold authority {authority!r}")
        del self.authorities[authority]

    @event("SuccessMetricSet")
    def set_success_metric(self, metric: str, target: float | None, audit: Audit) -> None:
        """Step 7 (docs/brief.md §11): a later setting replaces the metric or its target from its business time."""
        self.check_time(audit)
        self.success_metric = metric
        self.success_target = target

    @event("RewardSchemeChosen")
    def choose_reward_scheme(self, scheme: dict[str, Any], audit: Audit) -> None:
        self.check_time(audit)
        if scheme["variant"] == "base_plus_team_bonus" and scheme["split"] in ("hours", "base_pay"):
            key = scheme["split"]
            if not scheme[key]:
                raise DomainError(f"team {self.key}: split by {key} needs {key} per member")
        self.reward_scheme = dict(scheme)
        self.reward_scheme_version += 1
