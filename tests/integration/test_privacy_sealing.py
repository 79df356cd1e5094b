"""Sealing personal text: envelopes, keys per subject, forgetting, and the paths that write it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain import commands as c
from domain.audit import Audit
from domain.client import Client
from domain.commands import FeedbackMessage
from domain.feedback import Feedback
from domain.personal_data import FORGOTTEN, PersonalDataError, Revealer, Sealer
from domain.service.forget import UnknownSubject
from domain.service.ledger import Ledger, feedback_fields
from domain.stores.subject_keys import MemorySubjectKeys
from projections.stored_form import decode_state
from projections.view_store import connect
from projections.views_file import catch_up
from tests.support.privacy import tamper_key

MAPPER_LEDGER = Ledger()
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_an_envelope_opens_only_with_its_subjects_current_key() -> None:
    keys = MemorySubjectKeys()
    sealer = Sealer(keys, ["client:a", "client:b"])
    sealed = sealer.seal("client:a", "Anna Petrova, +7 900 000")
    assert sealed.startswith("enc:v1:client:a:") and "Anna" not in sealed
    assert Revealer(keys).reveal(sealed) == "Anna Petrova, +7 900 000"
    assert Revealer(keys).reveal("text stored before encryption") == "text stored before encryption"
    assert Revealer(keys).reveal(None) is None

    moved = sealed.replace("enc:v1:client:a:", "enc:v1:client:b:")  # same data under another subject
    keys.keys["client:b"] = (keys.keys["client:a"][0], keys.keys["client:b"][1])
    with pytest.raises(PersonalDataError, match="does not open"):
        Revealer(keys).reveal(moved)
    with pytest.raises(PersonalDataError, match="damaged"):
        Revealer(keys).reveal("enc:v1:garbage")

    keys.destroy_subject_key("client:a")
    assert Revealer(keys).reveal(sealed) == FORGOTTEN
    renewed = Sealer(keys, ["client:a"]).seal("client:a", "new text")
    assert Revealer(keys).reveal(sealed) == FORGOTTEN  # the new key does not open the old data...
    assert Revealer(keys).reveal(renewed) == "new text"  # ...and does open what came after


def test_a_long_lived_reader_sees_keys_made_after_it_started() -> None:
    keys = MemorySubjectKeys()
    reader = Revealer(keys)
    sealer = Sealer(keys)
    for i in range(80):  # past the bulk load of the whole key table
        assert reader.reveal(sealer.seal(f"client:{i}", f"text {i}")) == f"text {i}"
    assert reader.reveal(Sealer(keys).seal("client:late", "made later")) == "made later"
    keys.destroy_subject_key("client:3")
    assert reader.reveal(Sealer(keys).seal("client:3", "after a forget")) == "after a forget"


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=200),
       client=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
       .map(str.strip).filter(bool))
def test_streamed_feedback_with_sealed_text_is_stored_byte_for_byte_as_the_mapper_stores_it(
    text: str, client: str
) -> None:
    try:
        message = FeedbackMessage.model_validate({
            "feedback_id": "f1", "client": client, "kind": "complaint", "channel": "app", "text": text,
            "rating": 4, "occurred_at": "2026-01-05T09:00:00+03:00"})
    except ValidationError:
        assume(False)  # input the edge refuses never reaches the encoder
    sealed = Sealer(MemorySubjectKeys()).seal(f"client:{client}", text)
    recorded_at = datetime.now(UTC)
    ours = MAPPER_LEDGER.feedback_encoder.stored_events([(message, "k:0:1")], recorded_at, texts=[sealed])[0]
    fields = {**feedback_fields(message), "text": sealed}
    aggregate = Feedback(audit=Audit(at=message.occurred_at, correlation="k:0:1"), **fields)
    created = dataclasses.replace(aggregate.collect_events()[0], timestamp=recorded_at)
    assert ours == MAPPER_LEDGER.mapper.to_stored_event(created)


def commands(*lines: dict[str, object]) -> list[c.Command]:
    return [c.COMMAND_ADAPTER.validate_python(line) for line in lines]


def test_every_write_path_seals_and_the_ledger_reads_through_forget(any_ledger: Ledger) -> None:
    ledger = any_ledger
    ledger.execute(commands(
        {"type": "IdentifyClient", "client": "ann", "name": "Ann Smith", "kind": "external",
         "description": "lives at 1 Elm St", "at": T0.isoformat()},
        {"type": "RecordFeedback", "feedback_id": "f1", "client": "ann", "kind": "complaint", "channel": "app",
         "text": "call me on 555-0100", "occurred_at": T0.isoformat()},
    ))
    message = FeedbackMessage.model_validate({"feedback_id": "f2", "client": "ann", "kind": "praise",
                                              "channel": "app", "text": "thanks, Ann", "occurred_at": T0.isoformat()})
    ledger.record_feedback([(message, "kafka:t:0:1")], tracking=None)

    stored = [n.state for n in ledger.recorder.select_notifications(1, 100)]
    # Whole phrases: a short marker such as b"555" turns up in random base64 ciphertext now and then.
    personal = (b"Ann Smith", b"1 Elm St", b"555-0100", b"thanks, Ann")
    assert not any(phrase in s for phrase in personal for s in stored)
    client = ledger.state(Client, "ann")
    assert client is not None and (client.name, client.description) == ("Ann Smith", "lives at 1 Elm St")
    assert [ledger.state(Feedback, f).text for f in ("f1", "f2")] == ["call me on 555-0100", "thanks, Ann"]

    result = ledger.forget("client", "ann", reason="ticket 7", actor="dpo")
    assert result.key_destroyed and result.erasure == "client:ann"
    client = ledger.state(Client, "ann")
    assert client is not None and (client.name, client.description, client.kind) == (FORGOTTEN, FORGOTTEN, "external")
    assert ledger.state(Feedback, "f2").text == FORGOTTEN
    assert ledger.verify().ok

    # new feedback after the forget is new data under a new key; forgetting again destroys that one
    later = FeedbackMessage.model_validate({"feedback_id": "f3", "client": "ann", "kind": "praise",
                                            "channel": "app", "text": "hello again", "occurred_at": T0.isoformat()})
    ledger.record_feedback([(later, "kafka:t:0:2")], tracking=None)
    assert ledger.state(Feedback, "f3").text == "hello again"
    assert ledger.state(Feedback, "f1").text == FORGOTTEN
    assert ledger.forget("client", "ann", reason="ticket 8").erasure == "client:ann#2"
    assert ledger.state(Feedback, "f3").text == FORGOTTEN
    assert ledger.forget("client", "ann", reason="ticket 9").erasure is None  # nothing left to forget
    with pytest.raises(UnknownSubject):
        ledger.forget("client", "bob", reason="no such client")


def test_text_stored_before_encryption_still_reads(any_ledger: Ledger) -> None:
    ledger = any_ledger
    legacy = Client(key="old", name="Plain Name", kind="external", description="plain", audit=Audit(at=T0))
    ledger.record(list(legacy.collect_events()), tracking=None, receipts=[])
    client = ledger.state(Client, "old")
    assert client is not None and client.name == "Plain Name"


def test_a_reader_holding_an_old_snapshot_delays_the_wal_scrub_and_forget_again_finishes_it(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3
    from pathlib import Path

    from domain.stores import subject_keys

    monkeypatch.setattr(subject_keys, "CHECKPOINT_SECONDS", 0.3)
    ledger = Ledger.open(sqlite_url)
    try:
        ledger.execute(commands({"type": "IdentifyClient", "client": "ann", "name": "Ann", "kind": "external",
                                 "at": T0.isoformat()}))
        key = ledger.keystore.subject_keys(["client:ann"])["client:ann"][1]
        path = Path(sqlite_url[len("sqlite:///"):])
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM stored_events").fetchone()  # holds its snapshot
        first = ledger.forget("client", "ann", reason="ticket 1")
        assert first.key_destroyed and first.erasure == "client:ann"
        assert first.incomplete is not None and "run the same forget again" in first.incomplete
        reader.rollback()
        reader.close()
        again = ledger.forget("client", "ann", reason="ticket 1")
        assert again.erasure is None and again.incomplete is None
        files = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())
        assert key not in files
    finally:
        ledger.close()


def test_a_key_that_does_not_open_the_text_projected_by_sql_is_the_readers_error(
        store_url: str, ledger: Ledger, tmp_path: Path) -> None:
    """Feedback text is opened inside DuckDB's insert (``projections.page_sql``): a damaged key still fails
    with ``PersonalDataError`` naming the subject (which the CLI prints as one line), and commits nothing."""
    ledger.execute(commands({"type": "RecordFeedback", "feedback_id": "f1", "client": "ann", "kind": "complaint",
                             "channel": "app", "text": "late again", "occurred_at": T0.isoformat()}))
    tamper_key(store_url, "client:ann", "key", bytes(range(32)))
    views = tmp_path / "views.duckdb"
    with pytest.raises(PersonalDataError, match="'client:ann' does not open its sealed data"):
        catch_up(ledger.recorder, views)
    con = connect(views)
    try:
        assert con.execute("SELECT count(*) FROM feedback").fetchone() == (0,)
    finally:
        con.close()


def test_a_feedbacks_answers_are_sealed_under_its_clients_key_and_forgotten_with_it(
        ledger: Ledger, tmp_path: Path) -> None:
    """Resolution and response are what the team wrote to the client: sealed under the feedback's client's key,
    shown while it exists, gone from the ledger and the views once the client is forgotten."""
    later = T0.replace(hour=10).isoformat()
    ledger.execute(commands(*(
        {"type": "RecordFeedback", "feedback_id": f, "client": "ann", "kind": "complaint", "channel": "app",
         "text": "late again", "occurred_at": T0.isoformat()} for f in ("f1", "f2")),
        {"type": "RespondToFeedback", "feedback_id": "f1", "response": "we call you at 555-0101", "at": later},
        {"type": "ResolveFeedback", "feedback_id": "f2", "resolution": "refund sent to Ann Smith", "at": later},
    ))
    legacy = Feedback(**feedback_fields(FeedbackMessage.model_validate(
        {"feedback_id": "old", "client": "ann", "kind": "complaint", "channel": "app", "text": "plain",
         "occurred_at": T0.isoformat()})), audit=Audit(at=T0))
    legacy.respond("plain response", audit=Audit(at=T0))  # as stored before answers were sealed
    legacy.resolve("plain resolution", audit=Audit(at=T0))
    ledger.record(list(legacy.collect_events()), tracking=None, receipts=[])

    notifications = ledger.recorder.select_notifications(1, 100)
    answers = [state.get("response") or state["resolution"] for state in map(decode_state, (
        n.state for n in notifications if n.topic.endswith((".Responded", ".Resolved"))))]
    assert b"555-0101" not in b"".join(n.state for n in notifications)
    sealed = [answer for answer in answers if answer.startswith("enc:v1:client:ann:")]
    assert len(sealed) == 2 and sorted(set(answers) - set(sealed)) == ["plain resolution", "plain response"]

    def views() -> dict[str, list[tuple[str, str]]]:
        catch_up(ledger.recorder, tmp_path / "views.duckdb")
        con = connect(tmp_path / "views.duckdb")
        try:
            return {table: sorted(con.execute(f"SELECT feedback_id, {column} FROM feedback_{table}").fetchall())
                    for table, column in (("responses", "response"), ("resolutions", "resolution"))}
        finally:
            con.close()

    assert views() == {"responses": [("f1", "we call you at 555-0101"), ("old", "plain response")],
                       "resolutions": [("f2", "refund sent to Ann Smith"), ("old", "plain resolution")]}
    assert (ledger.state(Feedback, "f1").response, ledger.state(Feedback, "f2").resolution) == (
        "we call you at 555-0101", "refund sent to Ann Smith")
    assert ledger.state(Feedback, "old").resolution == "plain resolution"

    ledger.forget("client", "ann", reason="ticket 9")
    assert (ledger.state(Feedback, "f1").response, ledger.state(Feedback, "f2").resolution) == (FORGOTTEN, FORGOTTEN)
    assert [Revealer(ledger.keystore).reveal(v) for v in sealed] == [FORGOTTEN, FORGOTTEN]
    assert views() == {"responses": [("f1", FORGOTTEN), ("old", "plain response")],
                       "resolutions": [("f2", FORGOTTEN), ("old", "plain resolution")]}
    assert ledger.verify().ok
