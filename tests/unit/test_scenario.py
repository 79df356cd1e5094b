"""The scenario builder the tests share: its defaults, its "the last one named", and commands that parse."""

from __future__ import annotations

import json

import pytest

from domain.commands import AgreePromise, FormTeam, ProposePromise
from tests.support.scenario import Scenario

AT = "2026-01-05T09:00:00Z"


def test_the_preamble_with_its_defaults() -> None:
    lines = Scenario(at=AT).team("ops").client("shop").metric("late").promise("p", "Few late orders", 3).agreed()
    assert lines.lines() == [
        {"type": "FormTeam", "team": "ops", "name": "Ops", "at": AT},
        {"type": "IdentifyClient", "client": "shop", "name": "Shop", "kind": "external", "at": AT},
        {"type": "DefineMetric", "metric": "late", "name": "Late orders", "unit": "count",
         "direction": "lower_is_better", "at": AT},
        {"type": "ProposePromise", "promise": "p", "promisor": "ops", "promisee": "shop",
         "statement": "Few late orders", "metric": "late", "target": 3, "period": "week", "at": AT},
        {"type": "AgreePromise", "promise": "p", "at": AT},
    ]


def test_every_field_can_be_given_and_the_business_time_changed_or_dropped() -> None:
    scenario = (Scenario(at=AT).team("a/b", "Slash", id="t1").at(None).metric("m", id="m1", unit="EUR")
                .member("ann", "chef", lead=True).member("bob"))
    assert scenario.lines() == [
        {"type": "FormTeam", "team": "a/b", "name": "Slash", "id": "t1", "at": AT},
        {"type": "DefineMetric", "metric": "m", "name": "M", "unit": "EUR", "direction": "higher_is_better",
         "id": "m1"},
        {"type": "AddMember", "team": "a/b", "person": "ann", "role": "chef", "lead": True},
        {"type": "AddMember", "team": "a/b", "person": "bob", "role": "member"},
    ]


def test_a_step_needing_something_not_yet_named_says_so() -> None:
    with pytest.raises(ValueError, match="no client yet"):
        Scenario().team("ops").metric("late").promise("p", "s", 1)


def test_lines_are_copies_and_jsonl_and_commands_carry_the_same_lines() -> None:
    scenario = Scenario(at=AT).team("ops").client("shop").metric("ontime").promise("p", "On time", 90).agreed()
    scenario.lines()[0]["team"] = "changed"
    assert next(iter(scenario))["team"] == "ops"
    assert [json.loads(line) for line in scenario.jsonl().splitlines()] == scenario.lines()
    team, *_, promise, agreed = scenario.commands()
    assert isinstance(team, FormTeam) and isinstance(promise, ProposePromise) and isinstance(agreed, AgreePromise)
    assert (promise.promisor, promise.promisee, promise.metric, promise.target) == ("ops", "shop", "ontime", 90)
