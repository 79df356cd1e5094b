"""`clientocracy import` and the audit queries `promise show` / `team show`, as a user runs them.

A few cases run the real CLI in a subprocess (helpers.run_cli); the bulk calls
``scripts.import_file.import_lines`` or the Typer app in-process, which is the same code
without the interpreter start-up, so the module stays fast enough for CI.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner, Result

from domain.base import key_id
from domain.client import Client
from domain.commands import COMMAND_TYPES
from domain.experiment import Experiment
from domain.feedback import Feedback
from domain.metric import Reading
from domain.observation import Observation
from domain.promise import Promise
from domain.service.ledger import Ledger
from domain.strategy import StrategyCanvas
from domain.team import Team
from scripts.cli import app
from scripts.import_file import import_lines
from scripts.sample_company import write_sample
from tests.support.cli import jsonl, run_cli

# Helpers ------------------------------------------------------------------------------


def count_events(store_url: str) -> int:
    """The number of events in the store, counted with plain SQL (not through the application)."""
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url[len("sqlite:///"):]) as conn:
            return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    import psycopg
    from psycopg.sql import SQL, Identifier

    parts = urlsplit(store_url)
    schema = parse_qs(parts.query)["schema"][0]
    with psycopg.connect(store_url.split("?")[0]) as conn:
        row = conn.execute(SQL("SELECT count(*) FROM {}.ledger_events").format(Identifier(schema))).fetchone()
        assert row is not None
        return int(row[0])


def invoke(*args: str, store: str, views: Path | None = None, stdin: str | None = None) -> Result:
    """The `clientocracy` command in-process (same Typer app as the console script)."""
    argv = [*args, "--store", store]
    if views is not None:
        argv += ["--views", str(views)]
    return CliRunner().invoke(app, argv, input=stdin)


def show(kind: str, key: str, store: str, views: Path, as_of: str | None = None) -> tuple[int, Any]:
    args = [kind, "show", key, "--json"]
    if as_of is not None:
        args += ["--as-of", as_of]
    result = invoke(*args, store=store, views=views)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0 else result.stderr)


def import_text(ledger: Ledger, text: str | bytes, chunk_size: int = 2000) -> Any:
    lines = text.splitlines(keepends=True)
    return import_lines(ledger, lines, chunk_size=chunk_size)


@pytest.fixture
def sqlite_ledger(sqlite_url: str) -> Iterator[Ledger]:
    app_ = Ledger.open(sqlite_url)
    yield app_
    app_.close()


# Every command type --------------------------------------------------------------------

AT = "2026-01-05T09:00:00Z"

ALL_TYPES: list[dict[str, Any]] = [
    {"type": "FormTeam", "id": "l01", "team": "delivery", "name": "Delivery", "at": AT, "actor": "council"},
    {"type": "FormTeam", "id": "l02", "team": "bakery", "name": "Bakery", "at": AT},
    {"type": "AddMember", "id": "l03", "team": "delivery", "person": "ann", "role": "lead", "at": AT},
    {"type": "AddMember", "id": "l04", "team": "delivery", "person": "bob", "role": "courier", "at": AT},
    {"type": "RemoveMember", "id": "l05", "team": "delivery", "person": "bob", "at": AT, "reason": "moved"},
    {"type": "SetCommunicationRules", "id": "l06", "team": "delivery", "rules": ["Daily stand-up"], "at": AT},
    {"type": "GrantAuthority", "id": "l07", "team": "delivery", "authority": "refunds",
     "description": "Refund up to 500", "at": AT},
    {"type": "ChooseRewardScheme", "id": "l08", "team": "delivery", "share": 0.25, "at": AT},
    {"type": "IdentifyClient", "id": "l09", "client": "shopper", "name": "Shopper", "kind": "external", "at": AT},
    {"type": "RecordPain", "id": "l10", "client": "shopper", "pain": "late", "description": "Late orders",
     "severity": 4, "at": AT},
    {"type": "DefineValueProposition", "id": "l11", "proposition": "vp", "client": "shopper", "team": "delivery",
     "statement": "Fast", "characteristics": ["speed"], "pains": ["late"], "at": AT},
    {"type": "DrawStrategyCanvas", "id": "l12", "canvas": "cv", "client": "shopper", "factors": ["price", "speed"],
     "at": AT},
    {"type": "ScoreOffering", "id": "l13", "canvas": "cv", "offering": "us", "ours": True,
     "scores": {"price": 5, "speed": 9}, "at": AT},
    {"type": "ChooseUniqueFactor", "id": "l14", "canvas": "cv", "factor": "speed", "at": AT},
    {"type": "DefineMetric", "id": "l15", "metric": "late", "name": "Late", "unit": "%",
     "direction": "lower_is_better", "at": AT},
    {"type": "ProposePromise", "id": "l16", "promise": "p1", "promisor": "delivery", "promisee": "shopper",
     "statement": "On time", "metric": "late", "target": 5, "period": "week", "at": AT},
    {"type": "CounterPropose", "id": "l17", "promise": "p1", "changes": {"target": 6}, "at": AT},
    {"type": "AgreePromise", "id": "l18", "promise": "p1", "at": AT},
    {"type": "AmendPromise", "id": "l19", "promise": "p1", "changes": {"target": 4.5}, "reason": "routes",
     "at": AT},
    {"type": "RetirePromise", "id": "l20", "promise": "p1", "reason": "closed", "at": "2026-03-01T00:00:00Z"},
    {"type": "RecordReading", "id": "l21", "metric": "late", "value": 3.25, "at": AT},
    {"type": "RecordFeedback", "id": "l22", "feedback_id": "f1", "client": "shopper", "kind": "complaint",
     "channel": "app", "text": "Cold soup", "rating": 3, "team": "delivery", "occurred_at": AT},
    {"type": "RespondToFeedback", "id": "l22r", "feedback_id": "f1", "response": "Sorry, checking", "at": AT},
    {"type": "ResolveFeedback", "id": "l23", "feedback_id": "f1", "resolution": "Refunded", "at": AT},
    {"type": "RecordFeedback", "id": "l23f", "feedback_id": "f2", "client": "shopper", "kind": "complaint",
     "channel": "app", "text": "Nobody answers", "occurred_at": AT},
    {"type": "AssignFeedback", "id": "l23a", "feedback_id": "f2", "team": "delivery", "at": AT},
    {"type": "PostLedgerEntry", "id": "l24", "team": "delivery", "period": "2026-01", "kind": "revenue",
     "amount": 1000, "at": AT},
    {"type": "ProposeExperiment", "id": "l25", "experiment": "e1", "team": "delivery", "hypothesis": "Bikes",
     "metric": "late", "design": "ab", "at": AT},
    {"type": "StartExperiment", "id": "l26", "experiment": "e1", "at": AT},
    {"type": "RecordObservation", "id": "l27", "experiment": "e1", "arm": "treatment", "value": 2, "at": AT},
    {"type": "RecordArmSummary", "id": "l27s", "experiment": "e1", "arm": "control", "n": 2, "sum": 3,
     "sum_squares": 5, "at": AT},
    {"type": "ConcludeExperiment", "id": "l28", "experiment": "e1", "decision": "adopt", "learning": "Bikes win",
     "at": AT},
    {"type": "RecordErrorReview", "id": "l29", "review": "rv", "team": "delivery", "what_happened": "Late van",
     "cause": "Traffic", "lesson": "Bikes", "at": AT},
    {"type": "RecordProcessChange", "id": "l30", "change": "pc", "team": "delivery", "description": "Use bikes",
     "experiment": "e1", "review": "rv", "at": AT},
    {"type": "SetSuccessMetric", "id": "l31", "team": "delivery", "metric": "late", "target": 5,
     "reason": "Late vans lose shoppers", "at": AT},
    {"type": "DefineMetric", "id": "l32", "metric": "stale", "name": "Stale loaves", "unit": "count",
     "direction": "lower_is_better", "owner": "bakery", "at": AT},
    {"type": "AdoptSolution", "id": "l33", "experiment": "e1", "team": "bakery", "metric": "stale",
     "reason": "Bikes for the bread round too", "at": AT},
]


def test_all_types_fixture_covers_every_command_type() -> None:
    from tests.integration.test_amendments import LINES  # docs/brief.md §8's DeclineAmendment too
    from tests.integration.test_consent_holders import LINES as CONSENT_LINES  # and §10's consent holders
    from tests.integration.test_people_import import PEOPLE_LINES  # docs/brief.md §5's commands: their own file

    assert {line["type"] for line in ALL_TYPES + PEOPLE_LINES + LINES + CONSENT_LINES} == set(COMMAND_TYPES)


def test_every_command_type_lands(ledger: Ledger) -> None:
    summary = import_text(ledger, jsonl(ALL_TYPES))
    assert summary.errors == []
    n = len(ALL_TYPES)
    assert (summary.lines, summary.accepted, summary.skipped, summary.events) == (n, n, 0, n)
    get = ledger.repository.get
    team = get(key_id(Team.KIND, "delivery"))
    assert team.members == {"ann": "lead"} and team.rules == ["Daily stand-up"]
    assert team.authorities == {"refunds": "Refund up to 500"} and team.reward_scheme["share"] == 0.25
    assert (team.success_metric, team.success_target) == ("late", 5)
    client = get(key_id(Client.KIND, "shopper"))
    assert client.pains["late"]["severity"] == 4 and client.propositions["vp"]["team"] == "delivery"
    canvas = get(key_id(StrategyCanvas.KIND, "cv"))
    assert canvas.ours == "us" and canvas.unique_factor == "speed"
    promise = get(key_id(Promise.KIND, "p1"))
    assert (promise.status, promise.version, promise.target) == ("retired", 5, 4.5)
    assert get(key_id(Reading.KIND, "l21")).value == 3.25
    answered = ledger.state(Feedback, "f1")  # the answers are sealed in the store, opened here
    assert answered is not None and (answered.resolution, answered.response) == ("Refunded", "Sorry, checking")
    assert get(key_id(Feedback.KIND, "f2")).team == "delivery"
    experiment = get(key_id(Experiment.KIND, "e1"))
    assert (experiment.status, experiment.decision) == ("concluded", "adopt")
    assert get(key_id(Observation.KIND, "l27")).arm == "treatment"  # an observation is named by its line id
    # A line's `id` is the correlation of its event.
    assert ledger.history(Promise, "p1")[1].audit.correlation == "l17"


def test_times_without_an_offset_are_utc(sqlite_ledger: Ledger) -> None:
    lines = [
        {"type": "FormTeam", "id": "a", "team": "t", "name": "T", "at": "2026-01-05T09:00:00"},
        {"type": "AddMember", "id": "b", "team": "t", "person": "p", "role": "r", "at": "2026-01-05T12:00:00+03:00"},
        {"type": "AddMember", "id": "c", "team": "t", "person": "q", "role": "r", "at": "2026-01-06"},
    ]
    summary = import_text(sqlite_ledger, jsonl(lines))
    assert summary.errors == []
    assert [e.audit.at for e in sqlite_ledger.history(Team, "t")] == [
        datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC),
    ]


@pytest.mark.processes
def test_sample_company_through_the_cli(store_url: str, tmp_path: Path) -> None:
    """The shipped sample (all 9 steps, every command type) imports cleanly, then re-imports as a no-op."""
    sample = tmp_path / "sample.jsonl"
    lines = write_sample(sample)
    result = run_cli("import", str(sample), "--json", store=store_url)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary == {"lines": lines, "accepted": lines, "skipped": 0, "rejected": 0, "events": lines, "errors": []}
    assert count_events(store_url) == lines
    again = run_cli("import", str(sample), "--json", store=store_url)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"lines": lines, "accepted": 0, "skipped": lines, "rejected": 0,
                                        "events": 0, "errors": []}
    assert count_events(store_url) == lines
    assert run_cli("verify", store=store_url).returncode == 0


# Bad lines ----------------------------------------------------------------------------

GOOD_BEFORE = '{"type": "FormTeam", "id": "g1", "team": "delivery", "name": "Delivery", "at": "2026-01-05T09:00:00Z"}'
GOOD_AFTER = ('{"type": "DefineMetric", "id": "g3", "metric": "late", "name": "Late", "unit": "%", '
              '"direction": "lower_is_better", "at": "2026-01-05T09:00:00Z"}')
READING = '{"type": "RecordReading", "id": "r", "metric": "late", "value": %s, "at": "2026-01-05T10:00:00Z"}'

BAD_LINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "not-json": ('{"type": "FormTeam", "team": "x",', ("Invalid JSON",)),
    "not-json-prose": ("hello world", ("Invalid JSON",)),
    "trailing-garbage": ('{"type": "FormTeam", "team": "x", "name": "X"} extra', ("Invalid JSON",)),
    "unknown-type": ('{"type": "FormPlatoon", "team": "x", "name": "X"}', ("'FormPlatoon'", "'type'")),
    "type-not-a-string": ('{"type": 5, "team": "x"}', ("'type'",)),
    "no-type": ('{"team": "x", "name": "X"}', ("'type'",)),
    "empty-object": ("{}", ("'type'",)),
    "json-array": ('[{"type": "FormTeam", "team": "x", "name": "X"}]', ("object",)),
    "json-string": ('"FormTeam"', ("object",)),
    "json-null": ("null", ("object",)),
    "missing-field": ('{"type": "FormTeam", "team": "x"}', ("name", "Field required")),
    "missing-reading-value": ('{"type": "RecordReading", "metric": "late", "at": "2026-01-05T10:00:00Z"}',
                              ("value", "Field required")),  # its time defaults to now (docs/brief.md §4)
    "missing-amend-reason": ('{"type": "AmendPromise", "promise": "p", "changes": {"target": 1}}',
                             ("reason", "Field required")),
    "extra-field": ('{"type": "FormTeam", "team": "x", "name": "X", "colour": "red"}',
                    ("colour", "Extra inputs are not permitted")),
    "extra-nested-field": ('{"type": "CounterPropose", "promise": "p", "changes": {"colour": "red"}}',
                           ("changes.colour", "Extra inputs")),
    "empty-changes": ('{"type": "CounterPropose", "promise": "p", "changes": {}}', ("changes", "at least one")),
    "ill-typed-string": ('{"type": "FormTeam", "team": 42, "name": "X"}', ("team", "valid string")),
    "ill-typed-number": (READING % '"3.5"', ("value", "valid number")),
    "ill-typed-bool": (READING % "true", ("value", "valid number")),
    "ill-typed-list": ('{"type": "SetCommunicationRules", "team": "delivery", "rules": "be nice"}',
                       ("rules", "valid array")),
    "ill-typed-id": ('{"type": "FormTeam", "id": 7, "team": "x", "name": "X"}', ("id", "valid string")),
    "empty-key": ('{"type": "FormTeam", "team": "", "name": "X"}', ("team", "at least 1 character")),
    "blank-key": ('{"type": "FormTeam", "team": "   ", "name": "X"}', ("team", "at least 1 character")),
    "bad-enum-kind": ('{"type": "IdentifyClient", "client": "c", "name": "C", "kind": "vip"}',
                      ("kind", "'external', 'internal' or 'partner'")),
    "bad-enum-direction": ('{"type": "DefineMetric", "metric": "m", "name": "M", "unit": "u", "direction": "up"}',
                           ("direction", "higher_is_better")),
    "bad-enum-period": ('{"type": "ProposePromise", "promise": "p", "promisor": "delivery", "promisee": "c", '
                        '"statement": "s", "metric": "late", "target": 1, "period": "year"}', ("period", "'day'")),
    "empty-arm": ('{"type": "RecordObservation", "experiment": "e", "arm": "", "value": 1}',
                  ("arm", "at least 1 character")),  # which arms exist is the experiment's (test_stats_domain)
    "bad-ledger-period": ('{"type": "PostLedgerEntry", "team": "delivery", "period": "2026-13", "kind": "cost", '
                          '"amount": 1}', ("period", "pattern")),
    "rating-out-of-range": ('{"type": "RecordFeedback", "feedback_id": "f", "client": "c", "kind": "rating", '
                            '"channel": "app", "text": "", "rating": 11, "occurred_at": "2026-01-05T00:00:00Z"}',
                            ("rating", "less than or equal to 10")),
    "negative-amount": ('{"type": "PostLedgerEntry", "team": "delivery", "period": "2026-01", "kind": "cost", '
                        '"amount": -5}', ("amount", "greater than or equal to 0")),
    "bad-timestamp-word": ('{"type": "FormTeam", "team": "x", "name": "X", "at": "yesterday"}', ("at", "datetime")),
    "bad-timestamp-hour": ('{"type": "FormTeam", "team": "x", "name": "X", "at": "2026-01-05T25:00:00Z"}',
                           ("at", "datetime")),
    "bad-timestamp-month": ('{"type": "FormTeam", "team": "x", "name": "X", "at": "2026-13-01T00:00:00Z"}',
                            ("at", "datetime")),
    "bad-timestamp-offset": ('{"type": "FormTeam", "team": "x", "name": "X", "at": "2026-01-05T00:00:00+25:00"}',
                             ("at", "datetime")),
    "bad-occurred-at": ('{"type": "RecordFeedback", "feedback_id": "f", "client": "c", "kind": "praise", '
                        '"channel": "app", "text": "t", "occurred_at": "soon"}', ("occurred_at", "datetime")),
    "nan": (READING % "NaN", ("value", "finite")),
    "infinity": (READING % "Infinity", ("value", "finite")),
    "minus-infinity": (READING % "-Infinity", ("value", "finite")),
    "overflow-to-infinity": (READING % "1e999", ("value", "finite")),
    "nan-in-changes": ('{"type": "CounterPropose", "promise": "p", "changes": {"target": NaN}}',
                       ("changes.target", "finite")),
    "nan-in-scores": ('{"type": "ScoreOffering", "canvas": "cv", "offering": "o", "scores": {"price": NaN}}',
                      ("scores.price", "finite")),
    "unknown-metric": ('{"type": "RecordReading", "metric": "ghost", "value": 1, "at": "2026-01-05T10:00:00Z"}',
                       ("RecordReading", "unknown metric 'ghost'")),
    "unknown-team": ('{"type": "AddMember", "team": "ghost", "person": "p", "role": "r"}', ("unknown team 'ghost'",)),
    "unknown-promisee": ('{"type": "ProposePromise", "promise": "p", "promisor": "delivery", "promisee": "ghost", '
                         '"statement": "s", "metric": "late", "target": 1, "period": "day"}',
                         ("unknown promisee 'ghost'",)),
    "unknown-promise": ('{"type": "AgreePromise", "promise": "ghost"}', ("unknown promise 'ghost'",)),
    "time-goes-back": ('{"type": "AddMember", "team": "delivery", "person": "p", "role": "r", '
                       '"at": "2026-01-01T00:00:00Z"}', ("team delivery", "cannot go back")),
    "duplicate-key": ('{"type": "FormTeam", "team": "delivery", "name": "Again"}', ("team 'delivery' already exists",)),
}


@pytest.mark.parametrize("case", list(BAD_LINES), ids=list(BAD_LINES))
def test_bad_line_is_reported_and_the_rest_lands(sqlite_ledger: Ledger, sqlite_url: str, case: str) -> None:
    bad, fragments = BAD_LINES[case]
    summary = import_text(sqlite_ledger, "\n".join([GOOD_BEFORE, bad, GOOD_AFTER]) + "\n")
    assert len(summary.errors) == 1, summary.errors
    error = summary.errors[0]
    assert error["line"] == 2
    for fragment in fragments:
        assert fragment in error["reason"], f"{fragment!r} not in {error['reason']!r}"
    assert (summary.lines, summary.accepted, summary.events) == (3, 2, 2)
    assert count_events(sqlite_url) == 2


@pytest.mark.parametrize("value", ["1767600000", "1767600000000", "1767600000.5"])
def test_numeric_time_is_rejected(sqlite_ledger: Ledger, value: str) -> None:
    """A bare number in a time field (Unix seconds? milliseconds?) is refused, not guessed."""
    lines = [f'{{"type": "FormTeam", "team": "x", "name": "X", "at": {value}}}',
             f'{{"type": "RecordFeedback", "feedback_id": "f", "client": "c", "kind": "praise", "channel": "app", '
             f'"text": "t", "occurred_at": {value}}}']
    summary = import_text(sqlite_ledger, "\n".join(lines) + "\n")
    assert [e["line"] for e in summary.errors] == [1, 2]
    assert summary.errors[0]["reason"].startswith("at: ") and "ISO-8601" in summary.errors[0]["reason"]
    assert summary.errors[1]["reason"].startswith("occurred_at: ")
    assert summary.accepted == 0


def test_non_utf8_line_is_reported(sqlite_ledger: Ledger) -> None:
    raw = (GOOD_BEFORE + "\n").encode() + b'{"type": "FormTeam", "team": "\xff\xfe", "name": "X"}\n'
    summary = import_lines(sqlite_ledger, raw.splitlines(keepends=True))
    assert summary.accepted == 1
    assert [e["line"] for e in summary.errors] == [2]


def test_line_numbers_count_blank_lines_and_errors_come_in_line_order(sqlite_ledger: Ledger) -> None:
    text = "\n".join([
        GOOD_BEFORE,  # 1
        "",  # 2 blank: not a command, not an error
        "   ",  # 3
        '{"type": "AddMember", "team": "ghost", "person": "p", "role": "r"}',  # 4: rejected by the domain
        "not json",  # 5: rejected at the edge
        GOOD_AFTER,  # 6
        '{"type": "FormTeam"}',  # 7
    ]) + "\n"
    summary = import_text(sqlite_ledger, text)
    assert [e["line"] for e in summary.errors] == [4, 5, 7]
    assert (summary.lines, summary.accepted, summary.skipped) == (5, 2, 0)


def test_a_bad_line_in_the_middle_of_a_chunk_does_not_sink_it(sqlite_ledger: Ledger, sqlite_url: str) -> None:
    lines = [GOOD_BEFORE, GOOD_AFTER]
    lines += [READING.replace('"id": "r"', f'"id": "r{i}"') % i for i in range(250)]
    lines.insert(100, READING % "NaN")
    lines.insert(200, '{"type": "RecordReading", "metric": "ghost", "value": 1, "at": "2026-01-05T10:00:00Z"}')
    summary = import_text(sqlite_ledger, "\n".join(lines) + "\n", chunk_size=64)
    assert [e["line"] for e in summary.errors] == [101, 201]
    assert (summary.lines, summary.accepted, summary.events) == (254, 252, 252)
    assert count_events(sqlite_url) == 252


@pytest.mark.processes
def test_every_bad_line_through_the_cli(store_url: str, tmp_path: Path) -> None:
    """One file holding every class of bad line: each is named on stderr, the good ones land, exit is 1."""
    bad = [line for line, _ in BAD_LINES.values()]
    lines = [GOOD_BEFORE, GOOD_AFTER, *bad, READING % 7]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", str(path), "--json", store=store_url)
    assert result.returncode == 1
    summary = json.loads(result.stdout)  # --json: machine output only on stdout
    expected_bad = list(range(3, 3 + len(bad)))
    assert [e["line"] for e in summary["errors"]] == expected_bad
    assert (summary["lines"], summary["accepted"], summary["rejected"], summary["events"]) == (
        len(lines), 3, len(bad), 3)
    for number in expected_bad:
        assert f"line {number}: " in result.stderr
    assert count_events(store_url) == 3


@pytest.mark.processes
def test_human_summary_goes_to_stderr(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(GOOD_BEFORE + "\nnot json\n")
    result = run_cli("import", str(path), store=sqlite_url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "line 2: " in result.stderr and "1 recorded" in result.stderr and "1 rejected" in result.stderr


def test_missing_file_is_an_error(sqlite_url: str, tmp_path: Path) -> None:
    result = invoke("import", str(tmp_path / "nope.jsonl"), store=sqlite_url)
    assert result.exit_code != 0
    assert "nope.jsonl" in result.stderr


# Stdin, idempotency, ids --------------------------------------------------------------------


@pytest.mark.processes
def test_import_from_stdin(store_url: str) -> None:
    text = jsonl(ALL_TYPES[:5])
    result = run_cli("import", "-", "--json", store=store_url, stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["accepted"] == 5
    again = run_cli("import", "-", "--json", store=store_url, stdin=text + "oops\n")
    assert again.returncode == 1
    summary = json.loads(again.stdout)
    assert (summary["accepted"], summary["skipped"], summary["rejected"]) == (0, 5, 1)
    assert summary["errors"][0]["line"] == 6
    assert count_events(store_url) == 5


def test_reimport_adds_nothing(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "all.jsonl"
    path.write_text(jsonl(ALL_TYPES))
    first = invoke("import", str(path), "--json", store=store_url)
    assert first.exit_code == 0, first.stderr
    events = count_events(store_url)
    assert events == len(ALL_TYPES)
    second = invoke("import", str(path), "--json", store=store_url)
    assert second.exit_code == 0, second.stderr
    n = len(ALL_TYPES)
    assert json.loads(second.stdout) == {"lines": n, "accepted": 0, "skipped": n, "rejected": 0, "events": 0,
                                         "errors": []}
    assert count_events(store_url) == events
    # A file that overlaps the imported one: only its new lines land.
    extra = {"type": "RecordReading", "id": "new-1", "metric": "late", "value": 1, "at": "2026-03-02T00:00:00Z"}
    path.write_text(jsonl([*ALL_TYPES[:10], extra, *ALL_TYPES[10:]]))
    third = invoke("import", str(path), "--json", "--chunk", "7", store=store_url)
    assert third.exit_code == 0, third.stderr
    assert json.loads(third.stdout)["accepted"] == 1
    assert count_events(store_url) == events + 1


def test_a_repeated_id_is_skipped_for_the_same_content_and_refused_for_other_content(
    store_url: str, tmp_path: Path
) -> None:
    """docs/brief.md §10: the operator's id again with the same content is a skip; with other content the line
    is rejected naming the key (exit 1), never silently skipped, and the good lines around it still land."""
    lines = [
        {"type": "DefineMetric", "id": "m", "metric": "late", "name": "Late", "unit": "%",
         "direction": "lower_is_better", "at": AT},
        {"type": "RecordReading", "id": "r1", "metric": "late", "value": 1, "at": AT},
        {"type": "RecordReading", "id": "r1", "metric": "late", "value": 2, "at": AT},  # same id, other value
        {"type": "RecordReading", "id": "r2", "metric": "late", "value": 3, "at": AT},
        {"type": "DefineMetric", "id": "m", "metric": "other", "name": "O", "unit": "u",
         "direction": "higher_is_better", "at": AT},  # same id as line 1, a different command
        {"type": "RecordReading", "id": "r2", "metric": "late", "value": 4, "at": AT},
        {"type": "RecordReading", "id": "r1", "metric": "late", "value": 1.0, "at": "2026-01-05T09:00:00+00:00"},
    ]  # the last: line 2 again, spelt otherwise (the same content)
    path = tmp_path / "dups.jsonl"
    path.write_text(jsonl(lines))
    for chunk in ("1000", "1"):  # inside one transaction, and across transactions
        result = invoke("import", str(path), "--json", "--chunk", chunk, store=store_url)
        assert result.exit_code == 1, result.stderr
        summary = json.loads(result.stdout)
        assert [error["line"] for error in summary["errors"]] == [3, 5, 6]
        assert summary["errors"][0]["reason"] == (
            "RecordReading: id_conflict: id 'r1' was already used for different content; send it under a new key")
        assert "id 'm'" in summary["errors"][1]["reason"] and "id 'r2'" in summary["errors"][2]["reason"]
        if chunk == "1000":
            assert (summary["accepted"], summary["skipped"], summary["events"]) == (3, 1, 3)
        else:
            assert (summary["accepted"], summary["skipped"], summary["events"]) == (0, 4, 0)
    assert count_events(store_url) == 3
    ledger = Ledger.open(store_url)
    try:
        assert ledger.repository.get(key_id(Reading.KIND, "r1")).value == 1.0
        assert ledger.repository.get(key_id(Reading.KIND, "r2")).value == 3.0
    finally:
        ledger.close()


def test_repeated_ids_across_chunks(sqlite_ledger: Ledger, sqlite_url: str) -> None:
    reading = '{"type": "RecordReading", "id": "r%d", "metric": "late", "value": %d, "at": "2026-01-05T10:00:00Z"}'
    lines = [GOOD_AFTER] + [reading % (i % 10, i % 10) for i in range(40)]  # each sent four times
    summary = import_text(sqlite_ledger, "\n".join(lines) + "\n", chunk_size=3)
    assert (summary.lines, summary.accepted, summary.skipped, summary.events) == (41, 11, 30, 11)
    assert count_events(sqlite_url) == 11


def test_json_summary_has_exactly_the_counts(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(jsonl(ALL_TYPES[:3]) + "\n" + jsonl(ALL_TYPES[:2]) + "[]\n")
    result = invoke("import", str(path), "--json", store=sqlite_url)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "lines": 6, "accepted": 3, "skipped": 2, "rejected": 1, "events": 3,
        "errors": [{"line": 7, "reason": "line: Input should be an object"}],
    }


# promise show / team show, with and without --as-of ----------------------------------------------

PROPOSED = "2026-01-06T09:00:00Z"
COUNTERED = "2026-01-07T09:00:00.000001Z"
AGREED = "2026-01-08T12:30:00.250000Z"
AMENDED = "2026-02-01T00:00:00Z"
RETIRED = "2026-03-01T00:00:00Z"

SCENARIO: list[dict[str, Any]] = [
    {"type": "FormTeam", "id": "s01", "team": "delivery", "name": "Delivery", "at": "2026-01-05T09:00:00Z",
     "actor": "council"},
    {"type": "FormTeam", "id": "s02", "team": "bakery", "name": "Bakery", "at": "2026-01-05T09:00:00Z"},
    {"type": "IdentifyClient", "id": "s03", "client": "shopper", "name": "Shopper", "kind": "external",
     "at": "2026-01-05T09:00:00Z"},
    {"type": "DefineMetric", "id": "s04", "metric": "late", "name": "Late", "unit": "%",
     "direction": "lower_is_better", "at": "2026-01-05T09:00:00Z"},
    {"type": "DefineMetric", "id": "s05", "metric": "fresh", "name": "Fresh", "unit": "%",
     "direction": "higher_is_better", "at": "2026-01-05T09:00:00Z"},
    {"type": "AddMember", "id": "s06", "team": "delivery", "person": "ann", "role": "lead",
     "at": "2026-01-05T10:00:00Z"},
    {"type": "ProposePromise", "id": "s07", "promise": "p1", "promisor": "delivery", "promisee": "shopper",
     "statement": "On time", "metric": "late", "target": 5, "period": "week", "at": PROPOSED, "actor": "ann",
     "reason": "client asked"},
    {"type": "CounterPropose", "id": "s08", "promise": "p1", "changes": {"target": 7, "period": "month"},
     "at": COUNTERED, "actor": "shopper-rep", "reason": "too strict"},
    {"type": "AgreePromise", "id": "s09", "promise": "p1", "at": AGREED, "actor": "council"},
    {"type": "AddMember", "id": "s10", "team": "delivery", "person": "bob", "role": "courier",
     "at": "2026-01-20T00:00:00Z"},
    {"type": "AmendPromise", "id": "s11", "promise": "p1", "changes": {"target": 6}, "at": AMENDED,
     "actor": "ann", "reason": "new routes"},
    {"type": "RemoveMember", "id": "s12", "team": "delivery", "person": "ann", "at": "2026-02-15T00:00:00Z"},
    {"type": "RetirePromise", "id": "s13", "promise": "p1", "at": RETIRED, "actor": "council",
     "reason": "service closed"},
    # p2 stays under negotiation: its target is the latest counter-proposal.
    {"type": "ProposePromise", "id": "s14", "promise": "p2", "promisor": "delivery", "promisee": "bakery",
     "statement": "Fresh bread", "metric": "fresh", "target": 90, "period": "day", "at": "2026-01-10T00:00:00Z"},
    {"type": "CounterPropose", "id": "s15", "promise": "p2", "changes": {"target": 95}, "at": "2026-01-11T00:00:00Z"},
    {"type": "CounterPropose", "id": "s16", "promise": "p2", "changes": {"target": 93, "statement": "Fresh bread "
     "daily"}, "at": "2026-01-12T00:00:00Z"},
    # A complaint open from 10 to 12 January, praise that is never "open", and January's P&L.
    {"type": "RecordFeedback", "id": "s20", "feedback_id": "fb-1", "client": "shopper", "kind": "complaint",
     "channel": "app", "text": "Late again", "rating": 2, "team": "delivery", "occurred_at": "2026-01-10T00:00:00Z"},
    {"type": "RecordFeedback", "id": "s21", "feedback_id": "fb-2", "client": "shopper", "kind": "praise",
     "channel": "app", "text": "Great", "team": "delivery", "occurred_at": "2026-01-10T00:00:00Z"},
    {"type": "ResolveFeedback", "id": "s22", "feedback_id": "fb-1", "resolution": "Refunded",
     "at": "2026-01-12T00:00:00Z"},
    {"type": "PostLedgerEntry", "id": "s23", "team": "delivery", "period": "2026-01", "kind": "revenue",
     "amount": 1000, "at": "2026-01-31T00:00:00Z"},
    {"type": "PostLedgerEntry", "id": "s24", "team": "delivery", "period": "2026-01", "kind": "cost",
     "amount": 400, "at": "2026-02-01T10:00:00Z"},
]


def minus_a_microsecond(text: str) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")) - timedelta(microseconds=1)
    return moment.astimezone(UTC).isoformat()


@pytest.fixture
def scenario(store_url: str, tmp_path: Path) -> tuple[str, Path]:
    ledger = Ledger.open(store_url)
    try:
        summary = import_lines(ledger, jsonl(SCENARIO).splitlines())
    finally:
        ledger.close()
    assert summary.errors == [] and summary.accepted == len(SCENARIO)
    return store_url, tmp_path / "views.duckdb"


def test_promise_show_full_history(scenario: tuple[str, Path]) -> None:
    store, views = scenario
    code, view = show("promise", "p1", store, views)
    assert code == 0
    assert {k: view[k] for k in ("promise", "status", "version", "target", "metric", "promisor", "promisee")} == {
        "promise": "p1", "status": "retired", "version": 5, "target": 6.0, "metric": "late", "promisor": "delivery",
        "promisee": "shopper",
    }
    assert isinstance(view["compliance"], list)
    history = [{k: h[k] for k in ("version", "event", "at", "actor", "reason", "changes")} for h in view["history"]]
    assert history == [
        {"version": 1, "event": "Proposed", "at": "2026-01-06T09:00:00+00:00", "actor": "ann",
         "reason": "client asked", "changes": {"promisor": "delivery", "promisee": "shopper", "statement": "On time",
                                               "metric": "late", "target": 5.0, "period": "week"}},
        {"version": 2, "event": "CounterProposed", "at": "2026-01-07T09:00:00.000001+00:00", "actor": "shopper-rep",
         "reason": "too strict", "changes": {"target": 7.0, "period": "month"}},
        {"version": 3, "event": "Agreed", "at": "2026-01-08T12:30:00.250000+00:00", "actor": "council",
         "reason": None, "changes": {}},
        {"version": 4, "event": "Amended", "at": "2026-02-01T00:00:00+00:00", "actor": "ann", "reason": "new routes",
         "changes": {"target": 6.0}},
        {"version": 5, "event": "Retired", "at": "2026-03-01T00:00:00+00:00", "actor": "council",
         "reason": "service closed", "changes": {}},
    ]


# (as-of, version, status, target) for p1: exactly at each event includes it, a microsecond before excludes it.
P1_AS_OF = [
    (PROPOSED, 1, "proposed", 5.0),
    (minus_a_microsecond(COUNTERED), 1, "proposed", 5.0),
    (COUNTERED, 2, "proposed", 7.0),
    (minus_a_microsecond(AGREED), 2, "proposed", 7.0),
    (AGREED, 3, "agreed", 7.0),
    (minus_a_microsecond(AMENDED), 3, "agreed", 7.0),
    (AMENDED, 4, "agreed", 6.0),
    (minus_a_microsecond(RETIRED), 4, "agreed", 6.0),
    (RETIRED, 5, "retired", 6.0),
    ("2030-01-01", 5, "retired", 6.0),
]


def test_promise_show_as_of_boundaries(scenario: tuple[str, Path]) -> None:
    store, views = scenario
    for as_of, version, status, target in P1_AS_OF:
        code, view = show("promise", "p1", store, views, as_of)
        assert code == 0, (as_of, view)
        assert (view["version"], view["status"], view["target"]) == (version, status, target), as_of
        assert [h["version"] for h in view["history"]] == list(range(1, version + 1)), as_of
    code, message = show("promise", "p1", store, views, minus_a_microsecond(PROPOSED))
    assert code != 0 and "not found" in message
    code, message = show("promise", "p1", store, views, "2026-01-01")
    assert code != 0 and "not found" in message


def test_as_of_accepts_offsets_and_dates(scenario: tuple[str, Path]) -> None:
    store, views = scenario
    # The same instant as AGREED, written in Moscow time.
    assert show("promise", "p1", store, views, "2026-01-08T15:30:00.25+03:00")[1]["version"] == 3
    assert show("promise", "p1", store, views, "2026-01-08T15:30:00.249999+03:00")[1]["version"] == 2
    # A bare date is midnight UTC: RETIRED happens exactly then.
    assert show("promise", "p1", store, views, "2026-03-01")[1]["status"] == "retired"
    assert show("promise", "p1", store, views, "2026-02-28")[1]["status"] == "agreed"
    result = invoke("promise", "show", "p1", "--json", "--as-of", "last tuesday", store=store, views=views)
    assert result.exit_code != 0 and result.stdout == ""


def test_proposed_promise_target_is_the_latest_counter_proposal(scenario: tuple[str, Path]) -> None:
    store, views = scenario
    code, view = show("promise", "p2", store, views)
    assert code == 0
    assert (view["status"], view["version"], view["target"], view["promisee"]) == ("proposed", 3, 93.0, "bakery")
    assert view["statement"] == "Fresh bread daily"
    assert [h["event"] for h in view["history"]] == ["Proposed", "CounterProposed", "CounterProposed"]
    assert view["history"][2]["changes"] == {"target": 93.0, "statement": "Fresh bread daily"}
    code, view = show("promise", "p2", store, views, "2026-01-11T12:00:00Z")
    assert (view["status"], view["version"], view["target"]) == ("proposed", 2, 95.0)


def test_unknown_promise_and_team_are_not_found(scenario: tuple[str, Path]) -> None:
    store, views = scenario
    for kind in ("promise", "team"):
        code, message = show(kind, "ghost", store, views)
        assert code != 0 and "ghost" in message


def _team_summary(view: dict[str, Any]) -> tuple[Any, ...]:
    members = sorted((m["person"], m["role"]) for m in view["members"])
    promises = [(p["promise"], p["status"], p["version"], p["target"]) for p in view["promises"]]
    return members, promises


def test_team_show_with_and_without_as_of(scenario: tuple[str, Path]) -> None:
    store, views = scenario
    code, view = show("team", "delivery", store, views)
    assert code == 0
    assert {"team", "members", "promises", "open_complaints", "economics"} <= set(view)
    assert view["team"] == "delivery"
    assert _team_summary(view) == (
        [("bob", "courier")],
        [("p1", "retired", 5, 6.0), ("p2", "proposed", 3, 93.0)],
    )
    cases = [
        ("2026-01-05T09:00:00Z", [], []),
        ("2026-01-05T10:00:00Z", [("ann", "lead")], []),
        ("2026-01-05T09:59:59.999999Z", [], []),
        (PROPOSED, [("ann", "lead")], [("p1", "proposed", 1, 5.0)]),
        (AGREED, [("ann", "lead")], [("p1", "agreed", 3, 7.0)]),
        ("2026-01-20T00:00:00Z", [("ann", "lead"), ("bob", "courier")],
         [("p1", "agreed", 3, 7.0), ("p2", "proposed", 3, 93.0)]),
        ("2026-02-14T23:59:59.999999Z", [("ann", "lead"), ("bob", "courier")],
         [("p1", "agreed", 4, 6.0), ("p2", "proposed", 3, 93.0)]),
        ("2026-02-15T00:00:00Z", [("bob", "courier")], [("p1", "agreed", 4, 6.0), ("p2", "proposed", 3, 93.0)]),
    ]
    for as_of, members, promises in cases:
        code, view = show("team", "delivery", store, views, as_of)
        assert code == 0, (as_of, view)
        assert _team_summary(view) == (members, promises), as_of
    code, message = show("team", "delivery", store, views, "2026-01-05T08:59:59.999999Z")
    assert code != 0 and "not found" in message


def test_team_show_complaints_and_economics_as_of(scenario: tuple[str, Path]) -> None:
    store, views = scenario

    def team(as_of: str | None) -> dict[str, Any]:
        code, view = show("team", "delivery", store, views, as_of)
        assert code == 0, view
        return view

    assert [c["feedback_id"] for c in team("2026-01-10T00:00:00Z")["open_complaints"]] == ["fb-1"]
    assert [c["feedback_id"] for c in team("2026-01-11T23:59:59.999999Z")["open_complaints"]] == ["fb-1"]
    assert team("2026-01-12T00:00:00Z")["open_complaints"] == []
    assert team("2026-01-09T23:59:59.999999Z")["open_complaints"] == []
    contract = ("period", "revenue", "costs", "net_profit", "bonus_pool")
    now = [{k: row[k] for k in contract} for row in team(None)["economics"]]
    assert now == [{"period": "2026-01", "revenue": 1000.0, "costs": 400.0, "net_profit": 600.0,
                    "bonus_pool": pytest.approx(120.0)}]
    before_costs = [{k: row[k] for k in contract} for row in team("2026-02-01T09:59:59.999999Z")["economics"]]
    assert before_costs == [{"period": "2026-01", "revenue": 1000.0, "costs": 0.0, "net_profit": 1000.0,
                             "bonus_pool": pytest.approx(200.0)}]
    assert team("2026-01-30T00:00:00Z")["economics"] == []


def test_unicode_keys_and_windows_line_endings(sqlite_url: str, tmp_path: Path) -> None:
    """Russian names and CRLF files (as Excel and Notepad save them) round-trip through import and show."""
    lines = [
        {"type": "FormTeam", "id": "u1", "team": "доставка", "name": "Доставка «Быстро»", "at": AT},
        {"type": "AddMember", "id": "u2", "team": "доставка", "person": "анна", "role": "лидер", "at": AT},
    ]
    path = tmp_path / "ru.jsonl"
    path.write_bytes(jsonl(lines).replace("\n", "\r\n").encode("utf-8"))
    result = invoke("import", str(path), "--json", store=sqlite_url)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["accepted"] == 2
    code, view = show("team", "доставка", sqlite_url, tmp_path / "views.duckdb")
    assert code == 0
    assert view["name"] == "Доставка «Быстро»"
    assert view["members"] == [{"person": "анна", "role": "лидер", "lead": False}]


def test_utf8_byte_order_mark_is_ignored(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (GOOD_BEFORE + "\n" + GOOD_AFTER + "\n").encode())
    result = invoke("import", str(path), "--json", store=sqlite_url)
    summary = json.loads(result.stdout)
    assert summary["errors"] == [] and summary["accepted"] == 2 and result.exit_code == 0


@pytest.mark.processes
def test_show_commands_in_a_real_process(scenario: tuple[str, Path]) -> None:
    """End to end: the console command prints only JSON on stdout, and a miss exits non-zero."""
    store, views = scenario
    result = run_cli("promise", "show", "p1", "--json", "--as-of", AGREED, store=store, views=views)
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    assert (view["status"], view["version"], view["target"]) == ("agreed", 3, 7.0)
    result = run_cli("team", "show", "delivery", "--json", "--as-of", "2026-01-05T10:00:00Z", store=store,
                     views=views)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["members"] == [{"person": "ann", "role": "lead", "lead": False}]
    result = run_cli("promise", "show", "p1", "--json", "--as-of", "2026-01-01T00:00:00Z", store=store,
                     views=views)
    assert result.returncode != 0 and result.stdout == ""


def test_show_after_more_events_catches_up(scenario: tuple[str, Path]) -> None:
    """The views file never answers stale: a later import shows up in the next `show`."""
    store, views = scenario
    assert show("promise", "p2", store, views)[1]["status"] == "proposed"
    result = invoke("import", "-", store=store,
                    stdin=jsonl([{"type": "AgreePromise", "id": "s17", "promise": "p2", "at": "2026-01-13T00:00:00Z"}]))
    assert result.exit_code == 0, result.stderr
    view = show("promise", "p2", store, views)[1]
    assert (view["status"], view["version"], view["target"]) == ("agreed", 4, 93.0)
