"""Size limits on every channel: a line or message over 1 MiB is rejected by name and the rest lands;
memory is bounded by the batch's bytes, not batch size x line length; a dead letter of any size
can always be written (cut, with headers saying so), so a huge record never stops ingestion.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kafka import KafkaProducer

from consumers.dead_letter import DEAD_LETTER_MAX_PAYLOAD, dead_letter_topic
from domain.json_input import MAX_INPUT_BYTES
from domain.service.ledger import Ledger
from tests.support.cli import CLI, jsonl, run_cli
from tests.support.feedback import encode, feedback, recorded_feedback_ids
from tests.support.kafka import create_topic, read_topic

pytestmark = pytest.mark.processes  # the CLI

MiB = 1024 * 1024


def padded(message: dict[str, object], size: int) -> bytes:
    """A valid JSON object of exactly ``size`` bytes (whitespace before the closing brace)."""
    raw = json.dumps(message).encode()
    return raw[:-1] + b" " * (size - len(raw)) + b"}"


def recorded(store: str) -> set[str]:
    ledger = Ledger.open(store)
    try:
        return set(recorded_feedback_ids(ledger))
    finally:
        ledger.close()


def test_import_rejects_a_line_over_1_mib_by_name_and_keeps_the_rest(store_url: str) -> None:
    team = {"type": "FormTeam", "team": "t1", "name": "T"}
    text = (jsonl([team]) + padded({"type": "FormTeam", "team": "t2", "name": "T"}, 2 * MiB).decode() + "\n"
            + padded({"type": "FormTeam", "team": "t3", "name": "T"}, MAX_INPUT_BYTES).decode() + "\n")
    result = run_cli("import", "-", "--json", store=store_url, stdin=text)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    assert (summary["accepted"], summary["rejected"]) == (2, 1)  # exactly 1 MiB is still fine
    assert "line 2: " in result.stderr and f"{2 * MiB} bytes, over the limit of {MAX_INPUT_BYTES}" in result.stderr


def test_ingest_file_dead_letters_a_line_over_1_mib_with_its_head(sqlite_url: str, tmp_path: Path) -> None:
    source = tmp_path / "feedback.jsonl"
    source.write_bytes(encode(feedback("ok-1")) + b"\n" + padded(feedback("huge"), 3 * MiB) + b"\n"
                       + encode(feedback("ok-2")) + b"\n")
    result = run_cli("ingest", "file", str(source), "--json", store=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dead_lettered"] == 1
    (letter,) = [json.loads(line) for line in (tmp_path / "feedback.dlq.jsonl").read_text().splitlines()]
    assert (letter["line"], letter["reason_code"], letter["truncated"], letter["bytes"]) == (
        2, "too_large", True, 3 * MiB)
    assert letter["raw"].startswith('{"feedback_id": "huge"') and len(letter["raw"]) <= 1024
    assert recorded(sqlite_url) == {"ok-1", "ok-2"}


def peak_rss_mib(args: list[str], stdin_path: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run the CLI in a child of a fresh interpreter and return the child's peak RSS (MiB)."""
    probe = (
        "import resource, subprocess, sys\n"
        "stdin = open(sys.argv[1], 'rb') if sys.argv[1] else None\n"
        "done = subprocess.run(sys.argv[2:], stdin=stdin, capture_output=True)\n"
        "sys.stderr.write(done.stderr.decode()); sys.stdout.write(done.stdout.decode())\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(stdin_path or ""), *CLI, *args],
                            capture_output=True, text=True, timeout=300)
    return int(result.stdout.strip().splitlines()[-1]) / 1024, result


def test_memory_is_bounded_by_batch_bytes_not_batch_size_times_line_length(tmp_path: Path) -> None:
    """120 valid lines of 900 KB (108 MB) in one default batch/chunk used to be held all at once."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    feedback_file = tmp_path / "big.jsonl"
    with feedback_file.open("wb") as out:
        for i in range(120):
            out.write(padded(feedback(f"big-{i}"), 900_000) + b"\n")
    commands_file = tmp_path / "big-commands.jsonl"
    with commands_file.open("wb") as out:
        for i in range(120):
            out.write(padded({"type": "FormTeam", "team": f"t{i}", "name": "T"}, 900_000) + b"\n")
    baseline, _ = peak_rss_mib(["verify", "--store", store])
    ingest_rss, ingested = peak_rss_mib(["ingest", "file", str(feedback_file), "--json", "--store", store])
    assert ingested.returncode == 0, ingested.stderr
    import_rss, imported = peak_rss_mib(["import", "-", "--json", "--store", store], commands_file)
    assert imported.returncode == 0, imported.stderr
    assert len(recorded(store)) == 120
    # 16 MiB batches of 900 KB lines: well under the 108 MB the file holds
    print(f"peak RSS MiB: baseline {baseline:.0f}, ingest file {ingest_rss:.0f}, import {import_rss:.0f}")
    assert ingest_rss - baseline < 80, (baseline, ingest_rss)
    assert import_rss - baseline < 80, (baseline, import_rss)


def test_a_record_too_large_to_dead_letter_whole_is_cut_and_ingest_goes_on(
    sqlite_url: str, kafka_bootstrap: str
) -> None:
    """The dead-letter path does not depend on the store: SQLite only, to keep the suite quick."""
    store_url = sqlite_url
    topic = create_topic(kafka_bootstrap, partitions=1)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", max_request_size=40 * MiB)
    try:
        for key, value in [(b"ok-1", encode(feedback("ok-1"))),
                           # not even JSON, and key + value over the dead-letter producer's 16 MiB
                           (b"k" * (9 * MiB), padded(feedback("huge"), 9 * MiB)[:-1] + b"x"),
                           (b"big", padded(feedback("big"), 2 * MiB)),  # over the 1 MiB message cap
                           (b"ok-2", encode(feedback("ok-2")))]:
            producer.send(topic, key=key, value=value, partition=0).get(timeout=60)
    finally:
        producer.close()
    result = run_cli("ingest", "kafka", "--bootstrap", kafka_bootstrap, "--topic", topic, "--group", "g-huge",
                     "--until-idle", "2", "--session-timeout", "3", "--json", store=store_url)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["recorded"], summary["dead_lettered"]) == (2, 2)
    assert recorded(store_url) == {"ok-1", "ok-2"}
    letters = read_topic(kafka_bootstrap, dead_letter_topic(topic), at_least=2)
    assert len(letters) == 2
    by_offset = {int(dict(letter.headers)["source_offset"]): letter for letter in letters}
    huge, big = by_offset[1], by_offset[2]
    huge_headers = dict(huge.headers)
    assert huge_headers["truncated"] == b"true" and huge_headers["reason_code"] == b"too_large"
    assert huge_headers["original_key_bytes"] == str(9 * MiB).encode()
    assert huge_headers["original_value_bytes"] == str(9 * MiB).encode()
    assert len(huge.key) + len(huge.value) <= DEAD_LETTER_MAX_PAYLOAD
    assert huge.value.startswith(b'{"feedback_id": "huge"')
    big_headers = dict(big.headers)
    assert big_headers["truncated"] == b"true" and big_headers["original_value_bytes"] == str(2 * MiB).encode()
    assert big.key == b"big" and len(big.value) == DEAD_LETTER_MAX_PAYLOAD - 3
