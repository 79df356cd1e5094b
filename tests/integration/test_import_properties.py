"""Property test: whatever the command file, import accounts for every line, is idempotent, and keeps the chain.

Hypothesis writes JSONL files mixing valid commands (whose references may or may not exist),
repeated line ids, blank lines and bad lines. For every file, on a fresh SQLite store:

(a) accepted + skipped + rejected == the number of non-blank lines;
(b) importing the same file again records nothing;
(c) ``verify`` finds the chain intact;
(d) the store holds exactly one event per accepted command.

Commands are emitted in dependency tiers (definitions, then proposals, then agreements, ...),
so no line is enabled by a later line: a line rejected the first time stays unrecordable,
which is what makes (b) a fair expectation rather than a coincidence.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.commands import COMMAND_TYPES
from domain.service.ledger import Ledger
from scripts.import_file import import_lines

TEAMS = ["t0", "t1", "t2"]
CLIENTS = ["c0", "c1"]
METRICS = ["m0", "m1"]
PROMISES = ["p0", "p1", "p2"]
EXPERIMENTS = ["e0", "e1"]
FEEDBACK = ["f0", "f1", "f2"]
GHOST = "ghost"  # never defined: every reference to it is rejected

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
EARLY = "2025-06-01T00:00:00Z"  # before everything else: may go back in an aggregate's time

BAD_LINES = [
    "not json at all",
    '{"type": "FormTeam", "team": "t9",',
    '{"type": "FormPlatoon", "team": "t9", "name": "x"}',
    '{"type": "FormTeam", "team": "t9"}',
    '{"type": "FormTeam", "team": "t9", "name": "x", "colour": "red"}',
    '{"type": "FormTeam", "team": 9, "name": "x"}',
    '{"type": "IdentifyClient", "client": "c9", "name": "x", "kind": "vip"}',
    '{"type": "FormTeam", "team": "t9", "name": "x", "at": "yesterday"}',
    '{"type": "RecordReading", "metric": "m0", "value": NaN, "at": "2026-01-05T00:00:00Z"}',
    '{"type": "RecordReading", "metric": "m0", "value": Infinity, "at": "2026-01-05T00:00:00Z"}',
    '[{"type": "FormTeam", "team": "t9", "name": "x"}]',
    "{}",
    "null",
    '{"type": "FormTeam", "id": "L1", "team": "t9", "name": "x", "extra": 1}',  # a known id, but invalid
]


def key(pool: list[str]) -> st.SearchStrategy[str]:
    """Mostly a key from the pool, sometimes one that is never defined."""
    return st.one_of(st.sampled_from(pool), st.just(GHOST)) if len(pool) > 1 else st.sampled_from(pool)


party = st.sampled_from([*TEAMS, *CLIENTS, GHOST])
number = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)

# (tier, strategy of the command's fields without id/at)
COMMANDS: list[tuple[int, st.SearchStrategy[dict[str, Any]]]] = [
    (0, st.fixed_dictionaries({"type": st.just("FormTeam"), "team": st.sampled_from(TEAMS), "name": st.just("T")})),
    (0, st.fixed_dictionaries({"type": st.just("IdentifyClient"), "client": st.sampled_from(CLIENTS),
                               "name": st.just("C"), "kind": st.sampled_from(["external", "internal", "partner"])})),
    (0, st.fixed_dictionaries({"type": st.just("DefineMetric"), "metric": st.sampled_from(METRICS),
                               "name": st.just("M"), "unit": st.just("u"),
                               "direction": st.sampled_from(["higher_is_better", "lower_is_better"])})),
    (1, st.fixed_dictionaries({"type": st.just("AddMember"), "team": key(TEAMS),
                               "person": st.sampled_from(["ann", "bob"]), "role": st.sampled_from(["lead", "x"])})),
    (1, st.fixed_dictionaries({"type": st.just("RecordReading"), "metric": key(METRICS), "value": number})),
    (1, st.fixed_dictionaries({"type": st.just("PostLedgerEntry"), "team": key(TEAMS), "period": st.just("2026-01"),
                               "kind": st.sampled_from(["revenue", "cost"]),
                               "amount": st.floats(min_value=0, max_value=1e6)})),
    (1, st.fixed_dictionaries({"type": st.just("ProposePromise"), "promise": st.sampled_from(PROMISES),
                               "promisor": key(TEAMS), "promisee": party, "statement": st.just("s"),
                               "metric": key(METRICS), "target": number,
                               "period": st.sampled_from(["day", "week", "month"])})),
    (1, st.fixed_dictionaries({"type": st.just("RecordFeedback"), "feedback_id": st.sampled_from(FEEDBACK),
                               "client": key(CLIENTS), "kind": st.sampled_from(["complaint", "praise"]),
                               "channel": st.just("app"), "text": st.just("t"),
                               "occurred_at": st.just("2026-01-05T08:00:00Z")})),
    (1, st.fixed_dictionaries({"type": st.just("ProposeExperiment"), "experiment": st.sampled_from(EXPERIMENTS),
                               "team": key(TEAMS), "hypothesis": st.just("h"), "metric": key(METRICS),
                               "design": st.sampled_from(["ab", "before_after"])})),
    (2, st.fixed_dictionaries({"type": st.just("CounterPropose"), "promise": key(PROMISES),
                               "changes": st.fixed_dictionaries({"target": number})})),
    (2, st.fixed_dictionaries({"type": st.just("StartExperiment"), "experiment": key(EXPERIMENTS)})),
    (3, st.fixed_dictionaries({"type": st.just("AgreePromise"), "promise": key(PROMISES)})),
    (3, st.fixed_dictionaries({"type": st.just("RecordObservation"), "experiment": key(EXPERIMENTS),
                               "arm": st.sampled_from(["control", "treatment"]), "value": number})),
    (4, st.fixed_dictionaries({"type": st.just("AmendPromise"), "promise": key(PROMISES),
                               "changes": st.fixed_dictionaries({"target": number}), "reason": st.just("r")})),
    (4, st.fixed_dictionaries({"type": st.just("ConcludeExperiment"), "experiment": key(EXPERIMENTS),
                               "decision": st.sampled_from(["adopt", "reject", "iterate"]),
                               "learning": st.just("l")})),
    (4, st.fixed_dictionaries({"type": st.just("ResolveFeedback"), "feedback_id": key(FEEDBACK),
                               "resolution": st.just("done")})),
    (5, st.fixed_dictionaries({"type": st.just("RetirePromise"), "promise": key(PROMISES), "reason": st.just("r")})),
]

@st.composite
def command_files(draw: st.DrawFn) -> tuple[str, int]:
    """A JSONL file and its chunk size."""
    items = draw(st.lists(
        st.tuples(st.sampled_from(range(len(COMMANDS))), st.integers(0, 24), st.integers(0, 9)),
        min_size=1, max_size=40,
    ))
    commands: list[tuple[int, dict[str, Any]]] = []
    if draw(st.integers(0, 4)):  # most files define (some of) the world they refer to
        world = [("FormTeam", "team", team) for team in TEAMS] + [("DefineMetric", "metric", m) for m in METRICS]
        world += [("IdentifyClient", "client", client) for client in CLIENTS]
        for type_, field, value in draw(st.lists(st.sampled_from(world), min_size=1, max_size=7)):
            fields = {"FormTeam": {"name": "T"}, "IdentifyClient": {"name": "C", "kind": "external"},
                      "DefineMetric": {"name": "M", "unit": "u", "direction": "higher_is_better"}}[type_]
            commands.append((0, {"type": type_, field: value, **fields, "id": f"world-{value}",
                                 "_early": False}))
    for index, line_id, flavour in items:
        tier, fields = COMMANDS[index]
        command = dict(draw(fields))
        command["id"] = f"L{line_id}"  # a small pool, so ids repeat
        command["_early"] = flavour == 0  # one in ten goes back in time
        commands.append((tier, command))
    commands.sort(key=lambda item: item[0])  # stable: dependency tiers, otherwise drawn order
    lines: list[str] = []
    for position, (_, command) in enumerate(commands):
        early = command.pop("_early")
        command["at"] = EARLY if early else (START + timedelta(minutes=position)).isoformat()
        lines.append(json.dumps(command))
    # Bad lines and blank lines anywhere.
    for bad in draw(st.lists(st.tuples(st.integers(0, len(lines)), st.sampled_from(BAD_LINES)), max_size=6)):
        lines.insert(bad[0], bad[1])
    for blank in draw(st.lists(st.tuples(st.integers(0, len(lines)), st.sampled_from(["", "   ", "\t"])),
                               max_size=3)):
        lines.insert(blank[0], blank[1])
    chunk = draw(st.sampled_from([1, 4, 2000]))
    return "\n".join(lines) + "\n", chunk


def stored_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=command_files())
def test_import_accounts_for_every_line_and_is_idempotent(kind: str, file: tuple[str, int]) -> None:
    text, chunk = file
    lines = text.splitlines(keepends=True)
    non_blank = sum(1 for line in lines if line.strip())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        ledger = Ledger.open(f"sqlite:///{path}") if kind == "sqlite" else Ledger.open("memory://")

        def stored_events() -> int:
            """Events in the store: the SQLite file's rows read with sqlite3, or the in-memory store's log."""
            return stored_rows(path) if kind == "sqlite" else len(ledger.store.select_notifications(1, 1_000_000))

        try:
            first = import_lines(ledger, lines, chunk_size=chunk)
            # (a) every non-blank line is accounted for exactly once
            assert first.lines == non_blank
            assert first.accepted + first.skipped + len(first.errors) == non_blank
            assert len({e["line"] for e in first.errors}) == len(first.errors)
            assert all(lines[e["line"] - 1].strip() for e in first.errors)
            domain_rejections = sum(1 for e in first.errors if e["reason"].split(":")[0] in COMMAND_TYPES)
            event(f"accepted: {'none' if not first.accepted else 'some' if first.errors else 'all'}")
            event(f"lines skipped for a repeated id: {'yes' if first.skipped else 'no'}")
            event(f"lines rejected by the domain: {'yes' if domain_rejections else 'no'}")
            # (d) one event per accepted command, and the store holds exactly those
            assert first.events == first.accepted
            assert stored_events() == first.accepted
            # (b) a second import records nothing
            again = import_lines(ledger, lines, chunk_size=chunk)
            assert (again.accepted, again.events) == (0, 0)
            assert again.skipped >= first.accepted + first.skipped
            assert again.accepted + again.skipped + len(again.errors) == non_blank
            assert stored_events() == first.accepted
            # (c) the chain is intact
            report = ledger.verify()
            assert report.ok, report
            assert report.events == first.accepted
        finally:
            ledger.close()
