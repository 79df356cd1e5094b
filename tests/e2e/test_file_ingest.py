"""`clientocracy ingest file`: the broker-less path keeps the same exactly-once and dead-letter rules."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from consumers.file_identity import file_tracking_name, path_name
from domain.commands import FeedbackMessage
from domain.service.ledger import Ledger
from tests.support.cli import CLI, run_cli
from tests.support.feedback import BAD_CASES, encode, feedback, random_bad, recorded_feedback_ids

pytestmark = pytest.mark.processes  # the CLI

BAD_LINES = [case for case in BAD_CASES if case.payload is not None]  # an empty line is no message at all


def ingest_file(path: Path | str, store: str, *extra: str, stdin: str | None = None, cwd: Path | None = None
                ) -> dict[str, Any]:
    result = run_cli("ingest", "file", str(path), "--json", *extra, store=store, stdin=stdin, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def write_lines(path: Path, lines: list[bytes], mode: str = "wb") -> None:
    with path.open(mode) as out:
        out.write(b"".join(line + b"\n" for line in lines))


def dead_letters(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_valid_lines_land_once_and_bad_lines_go_to_the_dead_letter_file(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "feedback.jsonl"
    lines = [encode(feedback(f"f{i}")) for i in range(5)]
    lines += [b"", encode(feedback("f2"))]  # a blank line, then a re-sent message
    lines.append(encode(feedback("f2", text="sent twice")))  # its feedback_id again, for other content
    lines += [case.payload for case in BAD_LINES if case.payload is not None]
    lines.append(encode(feedback("f-last")))
    write_lines(source, lines)

    summary = ingest_file(source, store_url)

    assert (summary["recorded"], summary["duplicates"], summary["dead_lettered"]) == (6, 1, len(BAD_LINES) + 1)
    assert summary["id_conflicts"] == 1
    assert summary["consumed"] == len(lines) - 1
    assert summary["positions"] == {path_name(source): len(lines)}
    assert recorded_feedback_ids(ledger) == Counter({f"f{i}": 1 for i in range(5)} | {"f-last": 1})
    letters = dead_letters(tmp_path / "feedback.dlq.jsonl")
    conflict = letters.pop()  # refused when the batch was recorded, after the lines refused as they were read
    assert (conflict["line"], conflict["reason_code"]) == (8, "id_conflict")
    assert "feedback_id 'f2'" in conflict["reason"] and conflict["raw"] == lines[7].decode()
    assert [letter["line"] for letter in letters] == list(range(9, 9 + len(BAD_LINES)))
    for letter, case in zip(letters, BAD_LINES, strict=True):
        assert letter["reason_code"] == case.code, case.label
        assert case.names in letter["reason"], case.label
        assert letter["source"] == file_tracking_name(source)
    assert letters[0]["raw_base64"]  # the non-UTF-8 line is kept byte for byte
    assert letters[1]["raw"] == BAD_LINES[1].payload.decode()  # type: ignore[union-attr]


def test_a_rerun_adds_nothing_and_an_appended_file_adds_only_its_new_lines(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "feedback.jsonl"
    write_lines(source, [encode(feedback("f1")), b"not json", encode(feedback("f2"))])
    ingest_file(source, store_url, "--batch-size", "2")
    assert ingest_file(source, store_url)["consumed"] == 0
    assert len(dead_letters(tmp_path / "feedback.dlq.jsonl")) == 1

    write_lines(source, [encode(feedback("f1")), b"[]", encode(feedback("f3"))], mode="ab")
    summary = ingest_file(source, store_url)

    counts = (summary["consumed"], summary["recorded"], summary["duplicates"], summary["dead_lettered"])
    assert counts == (3, 1, 1, 1)
    assert [letter["line"] for letter in dead_letters(tmp_path / "feedback.dlq.jsonl")] == [2, 5]
    assert recorded_feedback_ids(ledger) == Counter({"f1": 1, "f2": 1, "f3": 1})
    assert ledger.tracked_position(file_tracking_name(source)) == 6


def test_a_line_still_being_written_is_held_back_and_read_whole_next_time(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    """A writer mid-line: the last line has no line end yet. It was dead-lettered as bad JSON and its number
    tracked, so the finished line was skipped by the next run: lost."""
    source = tmp_path / "feedback.jsonl"
    whole = encode(feedback("f2"))
    source.write_bytes(encode(feedback("f1")) + b"\n" + whole[:25])
    first = ingest_file(source, store_url)
    assert (first["recorded"], first["dead_lettered"]) == (1, 0)
    assert [held["line"] for held in first["held_back"]] == [2]
    assert first["positions"] == {path_name(source): 1}
    with source.open("ab") as out:
        out.write(whole[25:] + b"\n")
    second = ingest_file(source, store_url)
    assert (second["recorded"], second["dead_lettered"], second["held_back"]) == (1, 0, [])
    assert recorded_feedback_ids(ledger) == Counter({"f1": 1, "f2": 1})
    assert not (tmp_path / "feedback.dlq.jsonl").exists()


def test_a_complete_last_line_without_a_line_end_is_read(ledger: Ledger, store_url: str, tmp_path: Path) -> None:
    source = tmp_path / "feedback.jsonl"
    source.write_bytes(encode(feedback("f1")) + b"\n" + encode(feedback("f2")) + b"\n" + b'{"not": "feedback"}')
    summary = ingest_file(source, store_url)
    assert (summary["recorded"], summary["dead_lettered"], summary["held_back"]) == (2, 1, [])
    assert summary["positions"] == {path_name(source): 3}


def test_a_new_file_at_the_same_path_is_read_from_its_first_line(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    """The next day's export written where yesterday's was: tracked by its path alone, its first lines (as many
    as the old file had) were skipped as read; a file replaced in place by a rename too."""
    source = tmp_path / "export.jsonl"
    write_lines(source, [encode(feedback("d1-a")), encode(feedback("d1-b"))])
    ingest_file(source, store_url)
    write_lines(source, [encode(feedback("d2-a")), b"{", encode(feedback("d2-c"))])  # truncated and rewritten
    second = ingest_file(source, store_url)
    assert (second["consumed"], second["recorded"], second["dead_lettered"]) == (3, 2, 1)
    assert [letter["line"] for letter in dead_letters(tmp_path / "export.dlq.jsonl")] == [2]
    renamed = tmp_path / "next.jsonl"
    write_lines(renamed, [encode(feedback("d2-a")), b"{", encode(feedback("d2-c")), encode(feedback("d3-d"))])
    renamed.replace(source)  # another inode at the path, with the same first line
    third = ingest_file(source, store_url)
    assert (third["consumed"], third["recorded"], third["duplicates"]) == (4, 1, 2)
    assert recorded_feedback_ids(ledger) == Counter({k: 1 for k in ("d1-a", "d1-b", "d2-a", "d2-c", "d3-d")})
    write_lines(source, [encode(feedback("d3-e"))], mode="ab")  # appended: only the new line is read
    assert (ingest_file(source, store_url)["consumed"]) == 1


def test_a_byte_order_mark_is_not_part_of_the_first_line(ledger: Ledger, store_url: str, tmp_path: Path) -> None:
    source = tmp_path / "excel.jsonl"
    write_lines(source, [b"\xef\xbb\xbf" + encode(feedback("f1")), encode(feedback("f2"))])
    summary = ingest_file(source, store_url)
    assert (summary["recorded"], summary["dead_lettered"]) == (2, 0)


def test_a_bad_last_line_left_unfinished_long_ago_is_dead_lettered(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "feedback.jsonl"
    source.write_bytes(encode(feedback("f1")) + b"\n" + b'{"feedback_id": "cut off' + b"\n  \n" + b"   ")
    os.utime(source, (time.time() - 3600, time.time() - 3600))  # nobody has written to it for an hour
    summary = ingest_file(source, store_url)
    assert (summary["recorded"], summary["dead_lettered"], summary["held_back"]) == (1, 1, [])
    assert [letter["line"] for letter in dead_letters(tmp_path / "feedback.dlq.jsonl")] == [2]


def test_a_pipe_named_as_a_file_is_read_untracked(ledger: Ledger, store_url: str, tmp_path: Path) -> None:
    """``ingest file /dev/stdin`` (or ``<(zcat x.gz)``): a pipe has no identity; it was opened a second time to
    take one (a traceback, or a FIFO's bytes lost to the second reader)."""
    text = b"".join(line + b"\n" for line in [encode(feedback("f1")), b"{", encode(feedback("f2"))]).decode()
    summary = ingest_file("/dev/stdin", store_url, stdin=text, cwd=tmp_path)
    assert (summary["recorded"], summary["dead_lettered"], summary["positions"]) == (2, 1, {})
    assert [letter["line"] for letter in dead_letters(tmp_path / "stdin.dlq.jsonl")] == [2]


def test_a_store_tracking_a_file_by_its_path_alone_resumes_there_once(
    ledger: Ledger, store_url: str, tmp_path: Path
) -> None:
    """A store written before files had an identity kept its position under ``file:<path>``: the first run after
    resumes there (not the whole file again, its bad lines dead-lettered twice); a new file at the path later
    starts at its first line."""
    source = tmp_path / "export.jsonl"
    write_lines(source, [encode(feedback("d1-a")), b"{", encode(feedback("d1-c"))])
    assert ledger.record_feedback([(FeedbackMessage.model_validate(feedback("d1-a")), "old run")], None,
                                  sender="file").recorded == 1
    ledger.record([], tracking=Tracking(path_name(source), 2), receipts=[])  # as the old run left it
    first = ingest_file(source, store_url)
    assert (first["consumed"], first["recorded"], first["dead_lettered"]) == (1, 1, 0)
    renamed = tmp_path / "next.jsonl"
    write_lines(renamed, [encode(feedback("d2-a")), encode(feedback("d2-b"))])
    renamed.replace(source)
    second = ingest_file(source, store_url)
    assert (second["consumed"], second["recorded"]) == (2, 2)
    assert recorded_feedback_ids(ledger) == Counter({k: 1 for k in ("d1-a", "d1-c", "d2-a", "d2-b")})


def test_stdin_relies_on_feedback_ids_alone(ledger: Ledger, store_url: str, tmp_path: Path) -> None:
    text = b"".join(line + b"\n" for line in [encode(feedback("f1")), b"{", encode(feedback("f2"))]).decode()

    first = ingest_file("-", store_url, stdin=text, cwd=tmp_path)
    again = ingest_file("-", store_url, "--dead-letters", str(tmp_path / "elsewhere.jsonl"), stdin=text)

    assert (first["recorded"], first["dead_lettered"]) == (2, 1)
    assert (again["recorded"], again["duplicates"], again["dead_lettered"]) == (0, 2, 1)
    assert first["positions"] == {}  # a pipe has no identity to resume from
    assert [d["line"] for d in dead_letters(tmp_path / "stdin.dlq.jsonl")] == [2]
    assert [d["line"] for d in dead_letters(tmp_path / "elsewhere.jsonl")] == [2]
    assert recorded_feedback_ids(ledger) == Counter({"f1": 1, "f2": 1})


def big_file(path: Path, lines: int, seed: int) -> tuple[set[str], set[int]]:
    """Valid lines with ~10% re-sent ids and ~5% bad lines; returns the valid ids and the bad line numbers."""
    rng = random.Random(seed)
    ids: list[str] = []
    bad: set[int] = set()
    out: list[bytes] = []
    for number in range(1, lines + 1):
        roll = rng.random()
        if roll < 0.05:
            out.append(random_bad(rng))
            bad.add(number)
        elif roll < 0.15 and ids:
            out.append(encode(feedback(rng.choice(ids))))  # the same message again: a duplicate
        else:
            ids.append(f"f{number}")
            out.append(encode(feedback(ids[-1])))
    write_lines(path, out)
    return set(ids), bad


def start(path: Path, store: str, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, "ingest", "file", str(path), "--json", "--store", store, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_position(ledger: Ledger, name: str, beyond: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        position = ledger.tracked_position(name) or 0
        if position > beyond:
            return position
        time.sleep(0.02)
    raise AssertionError(f"{name} did not move past {beyond}")


def test_kill_9_mid_file_then_rerun_is_exactly_once(ledger: Ledger, store_url: str, tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    source = tmp_path / "feedback.jsonl"
    valid_ids, bad_lines = big_file(source, 40_000, seed)
    name = file_tracking_name(source)
    position = 0
    for _ in range(3):
        victim = start(source, store_url, "--batch-size", str(rng.choice([100, 500, 1000])))
        position = wait_for_position(ledger, name, position)
        time.sleep(rng.uniform(0, 0.3))
        victim.send_signal(signal.SIGKILL)
        if victim.wait(timeout=10) == 0:
            break  # it got to the end before the kill landed

    ingest_file(source, store_url)

    counts = recorded_feedback_ids(ledger)
    assert set(counts) == valid_ids, f"seed {seed}"
    assert max(counts.values()) == 1, f"seed {seed}"
    lines = Counter(letter["line"] for letter in dead_letters(tmp_path / "feedback.dlq.jsonl"))
    assert set(lines) == bad_lines and max(lines.values()) == 1, f"seed {seed}"


def test_sigterm_finishes_the_batch_and_a_rerun_resumes(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    source = tmp_path / "feedback.jsonl"
    valid_ids, _ = big_file(source, 40_000, seed=7)
    ledger = Ledger.open(store)
    try:
        name = file_tracking_name(source)
        process = subprocess.Popen([*CLI, "ingest", "file", str(source), "--json", "--store", store,
                                    "--batch-size", "200"], stdout=subprocess.PIPE, text=True)
        wait_for_position(ledger, name, 0)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
        assert process.returncode == 0
        stopped = json.loads(out)
        assert stopped["consumed"] < 40_000  # it stopped early...
        assert stopped["positions"][path_name(source)] == ledger.tracked_position(name)  # ...after a whole batch
        assert stopped["recorded"] == sum(recorded_feedback_ids(ledger).values())

        ingest_file(source, store)
        assert set(recorded_feedback_ids(ledger)) == valid_ids
    finally:
        ledger.close()


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    result = run_cli("ingest", "file", str(tmp_path / "nowhere.jsonl"), store=store)
    assert result.returncode == 2 and "cannot read" in result.stderr
