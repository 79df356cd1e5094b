"""The demo's sample company must import cleanly: every line valid, referenced, and in time order.

The domain rejects a line that breaks these rules, so a broken sample would make
``clientocracy demo`` report rejected lines; these tests catch that without the store.
"""

from __future__ import annotations

import json
import pathlib
import statistics
from collections import Counter, defaultdict
from typing import Any

import pytest

from domain.commands import parse_command
from scripts.sample_company import sample_company_commands, write_sample

Cmd = dict[str, Any]
Ref = tuple[str, str]

ALL_STEP_TYPES = (
    "IdentifyClient", "RecordPain", "DefineValueProposition", "DrawStrategyCanvas", "ScoreOffering",
    "ChooseUniqueFactor", "FormTeam", "AddMember", "SetCommunicationRules", "GrantAuthority", "DefineMetric",
    "ProposePromise", "CounterPropose", "AgreePromise", "AmendPromise", "RetirePromise", "RecordReading",
    "RecordFeedback", "RespondToFeedback", "ResolveFeedback", "PostLedgerEntry", "ChooseRewardScheme",
    "ProposeExperiment", "StartExperiment", "RecordObservation", "ConcludeExperiment", "RecordErrorReview",
    "RecordProcessChange", "AdoptSolution", "SetSuccessMetric",
)

# The entity a command creates: (namespace, field holding its key).
DEFINES: dict[str, tuple[str, str]] = {
    "IdentifyClient": ("client", "client"),
    "DefineValueProposition": ("proposition", "proposition"),
    "DrawStrategyCanvas": ("canvas", "canvas"),
    "FormTeam": ("team", "team"),
    "DefineMetric": ("metric", "metric"),
    "ProposePromise": ("promise", "promise"),
    "ProposeExperiment": ("experiment", "experiment"),
    "RecordFeedback": ("feedback", "feedback_id"),
    "RecordErrorReview": ("review", "review"),
    "RecordProcessChange": ("change", "change"),
    "RegisterPerson": ("person", "person"),
}

# The aggregate a command belongs to, whose `at` must never go backwards.
AGGREGATE: dict[str, tuple[str, str]] = {
    **DEFINES,
    "RecordPain": ("client", "client"),
    "ScoreOffering": ("canvas", "canvas"),
    "ChooseUniqueFactor": ("canvas", "canvas"),
    "AddMember": ("team", "team"),
    "RemoveMember": ("team", "team"),
    "SetCommunicationRules": ("team", "team"),
    "GrantAuthority": ("team", "team"),
    "PostLedgerEntry": ("team", "team"),
    "ChooseRewardScheme": ("team", "team"),
    "CounterPropose": ("promise", "promise"),
    "AgreePromise": ("promise", "promise"),
    "AmendPromise": ("promise", "promise"),
    "RetirePromise": ("promise", "promise"),
    "RecordReading": ("metric", "metric"),
    "ResolveFeedback": ("feedback", "feedback_id"),
    "RespondToFeedback": ("feedback", "feedback_id"),
    "StartExperiment": ("experiment", "experiment"),
    "RecordObservation": ("experiment", "experiment"),
    "ConcludeExperiment": ("experiment", "experiment"),
    "AppointCouncil": ("person", "person"),
    "RepresentClient": ("client", "client"),
    "AdoptSolution": ("adoption", "team"),  # one adoption per team in the sample
    "SetSuccessMetric": ("team", "team"),
}

# Fields that must name an entity defined on an earlier line.
REFERENCES: dict[str, str] = {
    "client": "client", "team": "team", "promisor": "team", "metric": "metric", "canvas": "canvas",
    "parent": "promise", "experiment": "experiment", "review": "review", "person": "person",
}


@pytest.fixture(scope="module")
def commands() -> list[Cmd]:
    return sample_company_commands()


def _refs(cmd: Cmd) -> list[Ref]:
    """Every (namespace, key) a command refers to, apart from the entity it defines itself."""
    own = DEFINES.get(cmd["type"])
    refs = [
        (ns, cmd[field]) for field, ns in REFERENCES.items()
        if field in cmd and (own is None or own[1] != field)
    ]
    if cmd["type"] in ("CounterPropose", "AgreePromise", "AmendPromise", "RetirePromise"):
        refs.append(("promise", cmd["promise"]))
    if cmd["type"] in ("RecordFeedback", "ProposeExperiment", "RecordErrorReview") and cmd.get("promise"):
        refs.append(("promise", cmd["promise"]))
    if cmd["type"] in ("ResolveFeedback", "RespondToFeedback"):
        refs.append(("feedback", cmd["feedback_id"]))
    if cmd["type"] == "DefineValueProposition":
        refs += [("pain", f"{cmd['client']}/{pain}") for pain in cmd["pains"]]
    changes = cmd.get("changes", {})
    if "metric" in changes:
        refs.append(("metric", changes["metric"]))
    return refs


def test_every_line_validates(commands: list[Cmd]) -> None:
    for cmd in commands:
        assert parse_command(json.dumps(cmd)).type == cmd["type"], cmd["id"]


def test_ids_unique_and_every_line_has_time(commands: list[Cmd]) -> None:
    ids = [cmd["id"] for cmd in commands]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert all(cmd["at"].endswith("Z") for cmd in commands)


def test_references_defined_on_an_earlier_line(commands: list[Cmd]) -> None:
    known: set[Ref] = set()
    factors: dict[str, set[str]] = {}
    for number, cmd in enumerate(commands, start=1):
        for ref in _refs(cmd):
            assert ref in known, f"line {number} ({cmd['id']}) refers to undefined {ref}"
        if cmd["type"] in ("ProposePromise",) or "promisee" in cmd.get("changes", {}):
            promisee = cmd.get("promisee") or cmd["changes"]["promisee"]
            assert ("client", promisee) in known or ("team", promisee) in known, cmd["id"]
        if cmd["type"] == "DrawStrategyCanvas":
            factors[cmd["canvas"]] = set(cmd["factors"])
        if cmd["type"] == "ScoreOffering":
            assert set(cmd["scores"]) <= factors[cmd["canvas"]], cmd["id"]
        if cmd["type"] == "ChooseUniqueFactor":
            assert cmd["factor"] in factors[cmd["canvas"]], cmd["id"]
        if cmd["type"] == "RecordPain":
            known.add(("pain", f"{cmd['client']}/{cmd['pain']}"))
        if cmd["type"] in DEFINES:
            ns, field = DEFINES[cmd["type"]]
            assert (ns, cmd[field]) not in known, f"{cmd['id']} redefines {ns} {cmd[field]}"
            known.add((ns, cmd[field]))


def test_time_never_goes_backwards(commands: list[Cmd]) -> None:
    last: dict[Ref, str] = {}
    for cmd in commands:
        ns, field = AGGREGATE[cmd["type"]]
        key = (ns, cmd[field])
        assert cmd["at"] >= last.get(key, ""), f"{cmd['id']} goes back in time in {key}"
        last[key] = cmd["at"]
    times = [cmd["at"] for cmd in commands]
    assert times == sorted(times), "the whole file is kept in business-time order"


def test_promise_and_experiment_lifecycles(commands: list[Cmd]) -> None:
    promise_state: dict[str, str] = {}
    experiment_state: dict[str, str] = {}
    for cmd in commands:
        kind = cmd["type"]
        is_experiment = "Experiment" in kind or kind == "RecordObservation"
        key: str = cmd.get("experiment", "") if is_experiment else cmd.get("promise", "")
        if kind == "ProposePromise":
            promise_state[key] = "proposed"
        elif kind in ("CounterPropose", "AgreePromise"):
            assert promise_state[key] == "proposed", cmd["id"]
            promise_state[key] = "agreed" if kind == "AgreePromise" else "proposed"
        elif kind in ("AmendPromise", "RetirePromise"):
            assert promise_state[key] == "agreed", cmd["id"]
            assert cmd["reason"], cmd["id"]
            promise_state[key] = "retired" if kind == "RetirePromise" else "agreed"
        elif kind in ("RecordFeedback", "RecordErrorReview", "ProposeExperiment") and cmd.get("promise"):
            assert promise_state[cmd["promise"]] != "retired", cmd["id"]
        if kind == "ProposeExperiment":
            experiment_state[key] = "proposed"
        elif kind == "StartExperiment":
            assert experiment_state[key] == "proposed", cmd["id"]
            experiment_state[key] = "running"
        elif kind in ("RecordObservation", "ConcludeExperiment"):
            assert experiment_state[key] == "running", cmd["id"]
            if kind == "ConcludeExperiment":
                experiment_state[key] = "concluded"
    assert "retired" in promise_state.values() and "proposed" in promise_state.values()
    assert set(experiment_state.values()) == {"concluded"}


def test_all_nine_steps_appear(commands: list[Cmd]) -> None:
    present = Counter(cmd["type"] for cmd in commands)
    assert [t for t in ALL_STEP_TYPES if not present[t]] == []
    assert len(commands) < 3000


def test_story_has_what_the_demo_shows(commands: list[Cmd]) -> None:
    """The retrospective needs an internal promise, a loss month, open complaints and a real A/B effect."""
    kinds = {cmd["client"]: cmd["kind"] for cmd in commands if cmd["type"] == "IdentifyClient"}
    assert {"external", "internal", "partner"} <= set(kinds.values())
    teams = {cmd["team"] for cmd in commands if cmd["type"] == "FormTeam"}
    assert any(cmd["type"] == "ProposePromise" and cmd.get("parent") and cmd["promisee"] in teams
               for cmd in commands)

    books: dict[tuple[str, str], float] = defaultdict(float)
    for cmd in commands:
        if cmd["type"] == "PostLedgerEntry":
            sign = 1 if cmd["kind"] == "revenue" else -1
            books[(cmd["team"], cmd["period"])] += sign * cmd["amount"]
    assert any(net < 0 for net in books.values()) and any(net > 0 for net in books.values())

    resolved = {cmd["feedback_id"] for cmd in commands if cmd["type"] == "ResolveFeedback"}
    complaints = [cmd for cmd in commands if cmd["type"] == "RecordFeedback" and cmd["kind"] == "complaint"]
    assert sum(1 for cmd in commands if cmd["type"] == "RecordFeedback") >= 50
    assert len([c for c in complaints if c["feedback_id"] not in resolved]) >= 3

    arms: dict[str, list[float]] = defaultdict(list)
    for cmd in commands:
        if cmd["type"] == "RecordObservation" and cmd["experiment"] == "exp-microzone-batching":
            arms[cmd["arm"]].append(cmd["value"])
    assert all(25 <= len(values) <= 35 for values in arms.values())
    # delivery minutes: lower is better, so the treatment arm must be clearly faster
    assert statistics.mean(arms["control"]) - statistics.mean(arms["treatment"]) > 4


def test_deterministic_and_written_as_jsonl(tmp_path: pathlib.Path) -> None:
    assert sample_company_commands(7) == sample_company_commands(7)
    assert sample_company_commands(7) != sample_company_commands(8)
    path = tmp_path / "sample.jsonl"
    count = write_sample(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert count == len(lines)
    assert [json.loads(line) for line in lines] == sample_company_commands()


def test_every_team_has_a_success_metric_and_14_months_of_books(commands: list[Cmd]) -> None:
    """docs/brief.md §11 in the demo: growth year over year needs the same month a year earlier."""
    teams = {cmd["team"] for cmd in commands if cmd["type"] == "FormTeam"}
    assert {cmd["team"] for cmd in commands if cmd["type"] == "SetSuccessMetric"} == teams
    periods: dict[str, set[str]] = defaultdict(set)
    for cmd in commands:
        if cmd["type"] == "PostLedgerEntry":
            periods[cmd["team"]].add(cmd["period"])
    assert {team: (len(found), min(found), max(found)) for team, found in periods.items()} == {
        team: (14, "2025-02", "2026-03") for team in teams}
