"""Crypto-shredding end to end, on SQLite and PostgreSQL, through the CLI as a user runs it.

Personal text is marked with distinctive strings; the tests grep the store's raw bytes, the views
file and every command's output for them: before ``forget`` the store holds none of them
(encrypted at rest) while outputs show them; after it they are nowhere but the control subject's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.personal_data import FORGOTTEN
from tests.support.cli import cli_json, jsonl, run_cli
from tests.support.privacy import (
    CONTROL,
    CONTROL_MARKERS,
    VICTIM,
    VICTIM_MARKERS,
    company,
    key_material,
    store_bytes,
    tamper_key,
)

pytestmark = pytest.mark.processes  # the CLI


def every_output(store: str, views: Path, tmp_path: Path) -> str:
    """The text of every read command (plain and --json), the retrospective's HTML included."""
    outputs = []
    for args in (("team", "show", "ops"), ("promise", "show", "p"), ("experiment", "show", "e")):
        outputs.append(run_cli(*args, store=store, views=views, check=True).stdout)
        outputs.append(run_cli(*args, "--json", store=store, views=views, check=True).stdout)
    html = tmp_path / "retro.html"
    retro = ("retro", "--team", "ops", "--from", "2026-01-01", "--to", "2026-02-01", "--html", str(html))
    outputs.append(run_cli(*retro, store=store, views=views, check=True).stdout)
    outputs.append(run_cli(*retro, "--json", store=store, views=views, check=True).stdout)
    outputs.append(html.read_text())
    outputs.append(run_cli("verify", store=store, check=True).stdout)
    return "\n".join(outputs)


def assert_absent(markers: tuple[str, ...], where: str | bytes, what: str) -> None:
    found = [m for m in markers if (m.encode() if isinstance(where, bytes) else m) in where]
    assert not found, f"{found} found in {what}"


def assert_present(markers: tuple[str, ...], where: str | bytes, what: str) -> None:
    missing = [m for m in markers if (m.encode() if isinstance(where, bytes) else m) not in where]
    assert not missing, f"{missing} missing from {what}"


def test_forget_removes_a_clients_text_from_store_views_and_every_output(store_url: str, tmp_path: Path) -> None:
    views = tmp_path / "views.duckdb"
    run_cli("import", "-", store=store_url, stdin=jsonl(company()), check=True)

    before = every_output(store_url, views, tmp_path)
    assert_present(VICTIM_MARKERS[2:] + CONTROL_MARKERS[2:], before, "the outputs before forget")
    stored = store_bytes(store_url)
    assert_absent(VICTIM_MARKERS + CONTROL_MARKERS, stored, "the store (encrypted at rest)")
    assert b"enc:v1:client:zebra:" in stored
    assert_present(VICTIM_MARKERS + CONTROL_MARKERS, views.read_bytes(), "the views while the keys exist")
    victim_key, control_key = key_material(store_url, f"client:{VICTIM}"), key_material(store_url, f"client:{CONTROL}")
    assert victim_key in store_bytes(store_url)

    done = run_cli("forget", "client", VICTIM, "--reason", "erasure request T-1", "--json",
                   store=store_url, views=views, check=True)
    assert json.loads(done.stdout)["key_destroyed"] is True

    after = every_output(store_url, views, tmp_path)
    assert_absent(VICTIM_MARKERS, after, "the outputs after forget")
    assert_present(CONTROL_MARKERS[2:], after, "the outputs after forget (control)")
    assert FORGOTTEN in run_cli("team", "show", "ops", store=store_url, views=views, check=True).stdout
    team = cli_json("team", "show", "ops", store=store_url, views=views)
    texts = {c["client"]: c["text"] for c in team["open_complaints"]}
    assert texts == {VICTIM: FORGOTTEN, CONTROL: CONTROL_MARKERS[2]}
    promise = cli_json("promise", "show", "p", store=store_url, views=views)
    assert promise["promisee"] == VICTIM and promise["status"] == "agreed"  # keys and history stay

    stored = store_bytes(store_url)
    assert victim_key not in stored, "the destroyed key is still in the store's files"
    assert control_key in stored
    assert_absent(VICTIM_MARKERS, stored, "the store after forget")
    view_bytes = views.read_bytes()
    assert_absent(VICTIM_MARKERS, view_bytes, "the views file after forget")
    assert_present(CONTROL_MARKERS, view_bytes, "the views file after forget (control)")
    assert not Path(f"{views}.wal").exists() or VICTIM_MARKERS[0].encode() not in Path(f"{views}.wal").read_bytes()

    run_cli("project", "--rebuild", store=store_url, views=views, check=True)
    assert_absent(VICTIM_MARKERS, views.read_bytes(), "the views file after a rebuild")
    verified = cli_json("verify", store=store_url)
    assert verified["ok"] is True

    again = run_cli("forget", "client", VICTIM, "--reason", "again", store=store_url, views=views, check=True)
    assert "already forgotten" in again.stdout


def test_forgetting_an_unknown_subject_is_a_clear_error_and_records_nothing(store_url: str, tmp_path: Path) -> None:
    run_cli("import", "-", store=store_url, stdin=jsonl(company()[:4]), check=True)
    events = cli_json("verify", store=store_url)["events"]
    for kind in ("client", "person"):
        result = run_cli("forget", kind, "nobody", "--reason", "test", store=store_url, views=tmp_path / "v.duckdb")
        assert result.returncode == 1
        assert f"unknown {kind} 'nobody'" in result.stderr and "Traceback" not in result.stderr
    missing_reason = run_cli("forget", "client", VICTIM, store=store_url)
    assert missing_reason.returncode == 2 and "--reason" in missing_reason.stderr
    assert cli_json("verify", store=store_url)["events"] == events


def test_a_tampered_key_table_is_a_clear_error_never_a_crash_or_wrong_text(store_url: str, tmp_path: Path) -> None:
    run_cli("import", "-", store=store_url, stdin=jsonl(company()), check=True)
    subject = f"client:{VICTIM}"
    for column, value, reason in (
        ("key", b"\x01\x02\x03", "its key is 3 bytes"),
        ("key", bytes(range(32)), "does not open its sealed data"),
        ("kid", "not-a-key-id", "is not 16 hex digits"),
    ):
        original = key_material(store_url, subject) if column == "key" else None
        tamper_key(store_url, subject, column, value)
        views = tmp_path / f"{column}-{len(value)}.duckdb"
        result = run_cli("team", "show", "ops", "--json", store=store_url, views=views)
        assert result.returncode == 1, result.stdout
        assert reason in result.stderr and subject in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not result.stdout
        if original is not None:
            tamper_key(store_url, subject, column, original)


def test_file_ingestion_seals_feedback_text_and_forget_reaches_it(sqlite_url: str, tmp_path: Path) -> None:
    feed = tmp_path / "feedback.jsonl"
    feed.write_text(jsonl([
        {"feedback_id": f"ff{i}", "client": client, "kind": "complaint", "channel": "shop", "text": text,
         "occurred_at": "2026-01-05T10:00:00Z"}
        for i, (client, text) in enumerate([(VICTIM, "FLQ-victim-text"), (CONTROL, "FLQ-control-text")])
    ]))
    run_cli("ingest", "file", str(feed), store=sqlite_url, check=True)
    assert b"FLQ-" not in store_bytes(sqlite_url)
    views = tmp_path / "views.duckdb"
    run_cli("project", store=sqlite_url, views=views, check=True)
    assert b"FLQ-victim-text" in views.read_bytes()
    run_cli("forget", "client", VICTIM, "--reason", "T-2", store=sqlite_url, views=views, check=True)
    assert b"FLQ-victim-text" not in views.read_bytes() and b"FLQ-control-text" in views.read_bytes()


ANSWERS = {VICTIM: ("QZXV-RESPONSE-victim", "QZXV-RESOLUTION-victim"),
           CONTROL: ("KWPJ-RESPONSE-control", "KWPJ-RESOLUTION-control")}


def test_the_teams_answers_to_a_client_are_sealed_shown_and_forgotten_with_it(store_url: str, tmp_path: Path) -> None:
    views = tmp_path / "views.duckdb"
    lines = company()
    for client, (response, resolution) in ANSWERS.items():
        lines += [
            {"type": "RespondToFeedback", "id": f"a-{client}", "feedback_id": f"fb-{client}", "response": response,
             "at": "2026-01-06T09:00:00Z"},
            {"type": "RecordFeedback", "id": f"g-{client}", "feedback_id": f"fb2-{client}", "client": client,
             "kind": "complaint", "channel": "phone", "text": "again", "team": "ops",
             "occurred_at": "2026-01-05T10:00:00Z"},
            {"type": "ResolveFeedback", "id": f"r-{client}", "feedback_id": f"fb2-{client}",
             "resolution": resolution, "at": "2026-01-07T09:00:00Z"},
        ]
    run_cli("import", "-", store=store_url, stdin=jsonl(lines), check=True)
    every = tuple(text for answer in ANSWERS.values() for text in answer)
    assert_absent(every, store_bytes(store_url), "the store (encrypted at rest)")

    def shown() -> dict[str, tuple[str | None, str | None]]:
        team = cli_json("team", "show", "ops", store=store_url, views=views)
        answered = {c["client"]: c["response"] for c in team["open_complaints"]}
        resolved = {c["client"]: c["resolution"] for c in team["resolved_complaints"]}
        return {client: (answered[client], resolved[client]) for client in ANSWERS}

    assert shown() == ANSWERS
    run_cli("forget", "client", VICTIM, "--reason", "erasure request T-3", store=store_url, views=views, check=True)
    assert shown() == {VICTIM: (FORGOTTEN, FORGOTTEN), CONTROL: ANSWERS[CONTROL]}
    assert_absent(ANSWERS[VICTIM], every_output(store_url, views, tmp_path), "the outputs after forget")
    assert_absent(ANSWERS[VICTIM], views.read_bytes(), "the views file after forget")
