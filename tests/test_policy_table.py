"""The permission table has one row for every command type (none falls through to "nobody" by omission)."""

from __future__ import annotations

from domain import commands as c
from domain.handlers import HANDLERS
from domain.policy import NOBODY, RULES, rule_name


def test_every_command_has_a_row() -> None:
    assert set(RULES) == set(HANDLERS)
    assert [t.__name__ for t, rule in RULES.items() if rule is NOBODY] == ["AmendPromise"]


def test_rules_are_named_by_command_and_who() -> None:
    assert rule_name("FormTeam", RULES[c.FormTeam]) == "FormTeam: council"
    assert rule_name("AddMember", RULES[c.AddMember]) == "AddMember: that team's lead, council"
