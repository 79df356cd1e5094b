"""Handlers of ``domain.handlers.teams`` through the ledger on the in-memory store: each command's
happy path, and the invariant it enforces (rejected with its reason, nothing written)."""

from __future__ import annotations

import pytest

from domain.metric import Metric, Reading
from domain.service.ledger import Ledger
from domain.team import Team
from tests.support.ledger import AT, LATER, accept, reject
from tests.support.scenario import Scenario


@pytest.fixture
def kitchen(ledger: Ledger) -> Ledger:
    accept(ledger, *Scenario(at=AT).team("kitchen").member("lea", "chef", lead=True).metric("wait"))
    return ledger


def team(ledger: Ledger) -> Team:
    found = ledger.state(Team, "kitchen")
    assert found is not None
    return found


class TestFormTeam:
    def test_forms_a_team_with_the_default_reward_scheme(self, ledger: Ledger) -> None:
        accept(ledger, {"type": "FormTeam", "team": "kitchen", "name": "Kitchen", "at": AT})
        assert (team(ledger).name, team(ledger).members) == ("Kitchen", {})
        assert team(ledger).reward_scheme["variant"] == "team_net_profit_share"

    def test_a_second_team_with_the_same_key_is_rejected(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "FormTeam", "team": "kitchen", "name": "Other", "at": LATER},
               "team 'kitchen' already exists")
        assert team(kitchen).name == "Kitchen"


class TestMembers:
    def test_adds_and_removes_members(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "AddMember", "team": "kitchen", "person": "sam", "role": "cook", "at": LATER},
               {"type": "RemoveMember", "team": "kitchen", "person": "lea", "at": LATER})
        assert team(kitchen).members == {"sam": "cook"} and team(kitchen).leads == set()

    def test_a_member_is_added_once_per_role(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "AddMember", "team": "kitchen", "person": "lea", "role": "chef", "lead": True,
                         "at": LATER},
               "lea is already a member of team kitchen as chef")

    def test_only_a_member_can_be_removed(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "RemoveMember", "team": "kitchen", "person": "zoe", "at": LATER},
               "zoe is not a member of team kitchen")

    def test_the_team_must_exist(self, ledger: Ledger) -> None:
        reject(ledger, {"type": "AddMember", "team": "ghost", "person": "p", "role": "r", "at": AT},
               "unknown team 'ghost'")


class TestConsentHolders:
    def test_delegates_and_withdraws_consent(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "DelegateConsent", "team": "kitchen", "person": "sam", "at": LATER},
               {"type": "DelegateConsent", "team": "kitchen", "person": "zoe", "at": LATER},
               {"type": "WithdrawConsent", "team": "kitchen", "person": "sam", "at": LATER})
        assert team(kitchen).consent_holders == {"zoe"} and team(kitchen).leads == {"lea"}

    def test_consent_is_delegated_once_and_withdrawn_only_from_a_holder(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "DelegateConsent", "team": "kitchen", "person": "sam", "at": LATER})
        reject(kitchen, {"type": "DelegateConsent", "team": "kitchen", "person": "sam", "at": LATER},
               "sam already holds team kitchen's consent")
        reject(kitchen, {"type": "WithdrawConsent", "team": "kitchen", "person": "zoe", "at": LATER},
               "zoe does not hold team kitchen's consent")


class TestRulesAndAuthority:
    def test_sets_rules_grants_and_revokes_authority(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "SetCommunicationRules", "team": "kitchen", "rules": ["stand-up at 9"], "at": LATER},
               {"type": "GrantAuthority", "team": "kitchen", "authority": "refunds", "description": "up to 20",
                "at": LATER},
               {"type": "GrantAuthority", "team": "kitchen", "authority": "menu", "description": "the menu",
                "at": LATER},
               {"type": "RevokeAuthority", "team": "kitchen", "authority": "refunds", "reason": "audit",
                "at": LATER})
        assert team(kitchen).rules == ["stand-up at 9"]
        assert set(team(kitchen).authorities) == {"menu"}

    def test_only_held_authority_can_be_revoked(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "RevokeAuthority", "team": "kitchen", "authority": "refunds", "reason": "r",
                         "at": LATER}, "team kitchen does not hold authority 'refunds'")


class TestChooseRewardScheme:
    def test_a_scheme_is_a_new_version(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "ChooseRewardScheme", "team": "kitchen", "variant": "base_plus_team_bonus",
                         "split": "hours", "hours": {"lea": 120}, "at": LATER})
        assert (team(kitchen).reward_scheme_version, team(kitchen).reward_scheme["hours"]) == (1, {"lea": 120.0})

    def test_a_split_by_hours_needs_the_hours(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "ChooseRewardScheme", "team": "kitchen", "variant": "base_plus_team_bonus",
                         "split": "hours", "at": LATER}, "split by hours needs hours per member")
        assert team(kitchen).reward_scheme_version == 0


class TestMetricsAndReadings:
    def test_defines_a_metric_and_records_a_reading(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "DefineMetric", "metric": "nps", "name": "NPS", "unit": "points",
                         "direction": "higher_is_better", "at": AT},
               {"type": "RecordReading", "id": "r1", "metric": "nps", "value": 42, "at": LATER})
        metric, reading = kitchen.state(Metric, "nps"), kitchen.state(Reading, "r1")
        assert metric is not None and metric.direction == "higher_is_better"
        assert reading is not None and (reading.metric, reading.value) == ("nps", 42.0)

    def test_a_metric_is_defined_once(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "DefineMetric", "metric": "wait", "name": "W", "unit": "s",
                         "direction": "higher_is_better", "at": LATER}, "metric 'wait' already exists")

    def test_a_reading_needs_a_metric_that_existed_at_its_time(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "RecordReading", "metric": "ghost", "value": 1, "at": LATER}, "unknown metric 'ghost'")
        reject(kitchen, {"type": "RecordReading", "metric": "wait", "value": 1, "at": "2026-01-01T00:00:00Z"},
               "metric 'wait' did not exist yet")


class TestSuccessMetric:
    """docs/brief.md §11: a team's success metric and its target; a later setting replaces them."""

    def test_sets_and_replaces_the_success_metric(self, kitchen: Ledger) -> None:
        accept(kitchen, {"type": "SetSuccessMetric", "team": "kitchen", "metric": "wait", "target": 5,
                         "reason": "guests wait less", "at": LATER})
        assert (team(kitchen).success_metric, team(kitchen).success_target) == ("wait", 5)
        accept(kitchen, {"type": "SetSuccessMetric", "team": "kitchen", "metric": "wait", "reason": "no target yet",
                         "at": LATER})
        assert (team(kitchen).success_metric, team(kitchen).success_target) == ("wait", None)

    def test_a_metric_nobody_defined_is_refused_by_name(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "SetSuccessMetric", "team": "kitchen", "metric": "smiles", "reason": "R",
                         "at": LATER}, "unknown metric 'smiles'")
        assert team(kitchen).success_metric is None

    def test_the_team_must_exist(self, kitchen: Ledger) -> None:
        reject(kitchen, {"type": "SetSuccessMetric", "team": "ghost", "metric": "wait", "reason": "R", "at": LATER},
               "unknown team 'ghost'")
