"""Input values at the edge of every channel (import, ingest file, Kafka, --as-of): times out of
range, NUL and control characters, repeated JSON keys, numbers too large. Each is refused by
name, never with a traceback, never losing the good lines beside it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consumers.dead_letter import dead_letter_topic
from domain.service.ledger import Ledger
from tests.support.cli import jsonl, run_cli
from tests.support.feedback import encode, feedback, recorded_feedback_ids
from tests.support.kafka import create_topic, produce, read_topic
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI

OUT_OF_RANGE_TIMES = ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2200-01-01T00:00:00Z",
                      "1969-12-31T23:59:59Z"]
SETUP = Scenario(at="2026-01-01T00:00:00Z").team("kitchen", id="t").metric("ontime", id="m").lines()


def reading(value: object = 90, at: str = "2026-02-01T00:00:00Z", **extra: object) -> dict[str, object]:
    return {"type": "RecordReading", "metric": "ontime", "value": value, "at": at, **extra}


def imported(store: str, text: str) -> tuple[int, dict[str, object], str]:
    result = run_cli("import", "-", "--json", store=store, stdin=text)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def test_import_refuses_times_outside_business_time_and_keeps_the_chunk(store_url: str) -> None:
    lines = SETUP + [reading(at=at) for at in OUT_OF_RANGE_TIMES] + [reading(at="2199-12-31T23:00:00Z")]
    code, summary, stderr = imported(store_url, jsonl(lines))
    assert code == 1
    assert summary["accepted"] == 3 and summary["rejected"] == len(OUT_OF_RANGE_TIMES)
    for line in range(3, 3 + len(OUT_OF_RANGE_TIMES)):
        assert f"line {line}: at: " in stderr and "1970-01-01" in stderr
    feedback_line = {"type": "RecordFeedback", **feedback("f-far", occurred_at="9999-12-31T23:59:59-01:00")}
    code, summary, stderr = imported(store_url, jsonl([feedback_line]))
    assert code == 1 and "line 1: occurred_at: " in stderr


def test_as_of_outside_business_time_is_a_clear_error(store_url: str, tmp_path: Path) -> None:
    imported(store_url, jsonl(SETUP))
    for at in OUT_OF_RANGE_TIMES[:2]:
        result = run_cli("team", "show", "kitchen", "--as-of", at, store=store_url, views=tmp_path / "v.duckdb")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and "1970-01-01" in result.stderr
        assert f"--as-of {at!r} is out of range" in result.stderr


NUL_AND_CONTROL_LINES = [
    {"type": "FormTeam", "team": "nul\u0000team", "name": "x"},
    {"type": "FormTeam", "id": "id-with-nul\u0000", "team": "t2", "name": "x"},
    {"type": "FormTeam", "team": "esc\u001b[2J", "name": "x"},
    {"type": "FormTeam", "team": "t3", "name": "name with NUL \u0000"},
    {"type": "RecordFeedback", **feedback("fb\u0000nul")},
    {"type": "RecordFeedback", **feedback("fb-text-nul", text="cold\u0000soup")},
    {"type": "ResolveFeedback", "feedback_id": "x\u0000", "resolution": "done"},
    {"type": "RegisterPerson", "person": "p1", "name": "P", "email": "a\u0000@example.com"},
]


def test_import_refuses_nul_and_control_characters_and_keeps_the_chunk(store_url: str) -> None:
    """PostgreSQL text cannot hold NUL: one such line used to fail the whole chunk there."""
    lines = [*SETUP, *NUL_AND_CONTROL_LINES, reading(), {"type": "FormTeam", "team": "t", "name": "Two\tlines\nok"}]
    code, summary, stderr = imported(store_url, jsonl(lines))
    assert code == 1, stderr
    assert summary["accepted"] == 4 and summary["rejected"] == len(NUL_AND_CONTROL_LINES)
    assert [error["line"] for error in summary["errors"]] == list(range(3, 3 + len(NUL_AND_CONTROL_LINES)))
    for error in summary["errors"]:
        assert "control characters" in error["reason"] or "U+0000" in error["reason"], error


REPEATED_KEY_LINES = [
    ('{"type": "RecordReading", "metric": "ontime", "value": 5, "value": 6, "at": "2026-02-01T00:00:00Z"}',
     "value"),
    ('{"type": "CounterPropose", "promise": "p", "changes": {"target": 1, "target": 2}}', "target"),
    ('{"type": "RecordReading", "metric": "ontime", "val\\u0075e": 5, "value": 6, "at": "2026-02-01"}', "value"),
]


def test_import_refuses_repeated_json_keys(store_url: str) -> None:
    text = jsonl(SETUP) + "".join(raw + "\n" for raw, _ in REPEATED_KEY_LINES) + jsonl([reading()])
    code, summary, stderr = imported(store_url, text)
    assert code == 1
    assert summary["accepted"] == 3 and summary["rejected"] == len(REPEATED_KEY_LINES)
    for line, (_, field) in enumerate(REPEATED_KEY_LINES, start=3):
        assert f"line {line}: {field}: duplicate key" in stderr


OUT_OF_RANGE_NUMBERS = [
    (reading(value=1e308), "value"),
    (reading(value=-1e16), "value"),
    ({"type": "PostLedgerEntry", "team": "kitchen", "period": "9999-12", "kind": "revenue", "amount": 1}, "period"),
    ({"type": "PostLedgerEntry", "team": "kitchen", "period": "0000-01", "kind": "revenue", "amount": 1}, "period"),
    ({"type": "PostLedgerEntry", "team": "kitchen", "period": "2026-03", "kind": "revenue", "amount": 1e308},
     "amount"),
]


def test_import_refuses_numbers_and_periods_out_of_range(store_url: str) -> None:
    lines = [*SETUP, *(bad for bad, _ in OUT_OF_RANGE_NUMBERS), reading(value=1e15), reading(value=-1e15)]
    code, summary, stderr = imported(store_url, jsonl(lines))
    assert code == 1
    assert summary["accepted"] == 4 and summary["rejected"] == len(OUT_OF_RANGE_NUMBERS)
    for line, (_, field) in enumerate(OUT_OF_RANGE_NUMBERS, start=3):
        assert f"line {line}: {field}: " in stderr


def bad_feedback_lines() -> list[bytes]:
    return [
        encode(feedback("far", occurred_at="9999-12-31T23:59:59-01:00")),
        encode(feedback("early", occurred_at="0001-01-01T00:00:00+01:00")),
        encode(feedback("nul\u0000id")),
        b'{"feedback_id": "dup", "feedback_id": "dup2", "client": "c", "kind": "complaint", "channel": "app",'
        b' "text": "x", "occurred_at": "2026-03-01T00:00:00Z"}',
        encode(feedback("big-rating", rating=1e308)),
    ]


def test_ingest_file_dead_letters_bad_values_and_records_the_rest(store_url: str, tmp_path: Path) -> None:
    source = tmp_path / "feedback.jsonl"
    source.write_bytes(b"\n".join([encode(feedback("ok-1")), *bad_feedback_lines(), encode(feedback("ok-2"))]) + b"\n")
    result = run_cli("ingest", "file", str(source), "--json", store=store_url)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["recorded"], summary["dead_lettered"]) == (2, 5)
    letters = [json.loads(line) for line in (tmp_path / "feedback.dlq.jsonl").read_text().splitlines()]
    reasons = {letter["line"]: letter["reason"] for letter in letters}
    assert sorted(reasons) == [2, 3, 4, 5, 6]
    assert "occurred_at" in reasons[2] and "occurred_at" in reasons[3]
    assert "feedback_id" in reasons[4] and "duplicate key" in reasons[5] and "rating" in reasons[6]
    ledger = Ledger.open(store_url)
    try:
        assert set(recorded_feedback_ids(ledger)) == {"ok-1", "ok-2"}
    finally:
        ledger.close()


def test_kafka_poison_values_go_to_the_dead_letter_topic_and_ingest_goes_on(
    store_url: str, kafka_bootstrap: str
) -> None:
    topic = create_topic(kafka_bootstrap, partitions=1)
    bad = bad_feedback_lines()
    produce(kafka_bootstrap, topic, [(b"ok-1", encode(feedback("ok-1")))] + [(b"bad", raw) for raw in bad]
            + [(b"ok-2", encode(feedback("ok-2")))], partition=0)
    args = ("ingest", "kafka", "--bootstrap", kafka_bootstrap, "--topic", topic, "--group", "g-poison",
            "--until-idle", "2", "--session-timeout", "3", "--json")
    result = run_cli(*args, store=store_url)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["recorded"], summary["dead_lettered"]) == (2, len(bad))
    letters = read_topic(kafka_bootstrap, dead_letter_topic(topic), at_least=len(bad))
    codes = [dict(letter.headers)["reason_code"].decode() for letter in letters]
    assert codes == ["invalid_fields", "invalid_fields", "invalid_fields", "duplicate_key", "invalid_fields"]
    # A restart (another group: positions live in the store) finds nothing left to do.
    again = run_cli(*args[:7], "g-poison-2", *args[8:], store=store_url)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["consumed"] == 0
    ledger = Ledger.open(store_url)
    try:
        assert set(recorded_feedback_ids(ledger)) == {"ok-1", "ok-2"}
    finally:
        ledger.close()
