"""The store port on every adapter: the in-memory store is held to what SQLite and PostgreSQL do.

Receipts, tracking positions, the hash chain and the key table are written in one transaction with
the events they belong to; a clash fails the whole insert. These tests drive the port itself
(``domain.stores.port.LedgerStore``), below the ledger, on the three adapters alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.audit import Audit
from domain.client import Client
from domain.commands import COMMAND_ADAPTER, Command, FeedbackMessage
from domain.personal_data import FORGOTTEN
from domain.service.batch import Acting
from domain.service.ledger import Ledger
from domain.service.receipts import OPERATOR, person_sender, sender_line_receipt
from domain.stores.common import opened_recorder
from domain.stores.memory import MemoryRecorder
from domain.stores.port import LedgerStore, Receipt
from domain.stores.sqlite import LedgerSQLiteRecorder

AT = "2026-01-05T09:00:00Z"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
RECENT = (datetime.now(UTC) - timedelta(days=1)).isoformat()  # a person's feedback goes back 90 days at most


def commands(*lines: dict[str, object]) -> list[Command]:
    return [COMMAND_ADAPTER.validate_python({"at": AT, **line}) for line in lines]


CONFLICT = "id_conflict: {} was already used for different content; send it under a new key"


def operator_line(command_id: str) -> str:
    return sender_line_receipt(OPERATOR, command_id)


def person_line(person: str, command_id: str) -> str:
    return sender_line_receipt(person_sender(person), command_id)


def team(key: str) -> dict[str, object]:
    return {"type": "FormTeam", "id": f"line-{key}", "team": key, "name": key.title()}


def test_every_adapter_is_a_ledger_store(any_ledger: Ledger) -> None:
    assert isinstance(any_ledger.store, LedgerStore)
    assert any_ledger.store is any_ledger.recorder


def test_a_recorded_receipt_skips_its_line_and_fails_a_raw_insert_whole(any_ledger: Ledger) -> None:
    first = any_ledger.execute(commands(team("a"), team("b")))
    assert (first.accepted, first.events) == ([0, 1], 2)
    again = any_ledger.execute(commands(team("a"), team("c")))
    assert (again.skipped, again.accepted) == ([0], [1])
    store = any_ledger.store
    a, c, x = (operator_line(key) for key in ("line-a", "line-c", "line-x"))
    assert store.existing_receipts([a, c, x]) == {a, c}
    assert store.count_receipts("line:") == 3
    before = store.max_notification_id()
    client = Client(key="z", name="Z", kind="external", description="", audit=Audit(at=T0))
    [event] = [any_ledger.mapper.to_stored_event(e) for e in client.collect_events()]
    with pytest.raises(IntegrityError):
        store.insert_events([event], receipts=[operator_line("line-new"), a])
    assert store.max_notification_id() == before
    assert store.existing_receipts([operator_line("line-new")]) == set()
    assert any_ledger.verify().ok


def test_a_receipt_keeps_its_sender_and_digest_and_a_bare_key_has_none(any_ledger: Ledger) -> None:
    store = any_ledger.store
    store.insert_events([], receipts=[Receipt("feedback:f1", "kafka", "d1"), "feedback:f0"])
    assert store.receipt_digests(["feedback:f0", "feedback:f1", "feedback:f2"]) == {
        "feedback:f0": None, "feedback:f1": "d1"}
    assert store.existing_receipts(["feedback:f0", "feedback:f1"]) == {"feedback:f0", "feedback:f1"}
    with pytest.raises(IntegrityError):  # a key is recorded once, whoever sends it
        store.insert_events([], receipts=[Receipt("feedback:f1", "file", "d1")])
    assert store.receipt_digests(["feedback:f1"]) == {"feedback:f1": "d1"}


def complaint(**fields: object) -> dict[str, object]:
    return {"type": "RecordFeedback", "id": "line-a", "feedback_id": "f-ann", "client": "ann", "kind": "complaint",
            "channel": "app", "text": "Cold soup", "occurred_at": RECENT, **fields}


def test_a_line_id_belongs_to_its_sender_and_other_content_under_it_is_refused(any_ledger: Ledger) -> None:
    """docs/brief.md §10 (issue 17, item 4): an outsider who posts an id first no longer makes the operator's
    line with that id come back "already imported"; a sender's own id reused for other content is refused,
    never skipped; the same content again is a skip."""
    outsider = Acting("mallory", "api")
    assert any_ledger.execute([COMMAND_ADAPTER.validate_python(complaint())], acting=outsider).accepted == [0]
    mine = commands(team("a"))
    assert any_ledger.execute(mine).accepted == [0]  # before: skipped as "already imported"
    assert any_ledger.execute(mine).skipped == [0]
    other = any_ledger.execute(commands({**team("a"), "name": "Other"}))
    assert (other.accepted, other.skipped, other.conflicts) == ([], [], [(0, CONFLICT.format("id 'line-a'"))])
    again = any_ledger.execute([COMMAND_ADAPTER.validate_python(complaint())], acting=outsider)
    assert again.skipped == [0]
    changed = any_ledger.execute([COMMAND_ADAPTER.validate_python(complaint(rating=1))], acting=outsider)
    assert changed.conflicts == [(0, CONFLICT.format("id 'line-a'"))]
    stored = any_ledger.store.receipt_digests([operator_line("line-a"), person_line("mallory", "line-a")])
    assert len(stored) == 2 and all(stored.values())


def test_a_receipt_recorded_before_senders_and_digests_skips_only_the_operators_line(any_store_url: str) -> None:
    """A store from before this change opens without a manual migration; its bare receipts (``line:ID``,
    ``feedback:ID``) cannot tell who sent what: they still skip the operator's import lines (which wrote most of
    them), and never a person's new command (it is theirs: docs/brief.md §10, never silently skipped)."""
    ledger = Ledger.open(any_store_url)
    try:
        if not any_store_url.startswith("memory:"):
            ledger.close()
            make_receipts_table_old(any_store_url)
            ledger = Ledger.open(any_store_url)
        ledger.store.insert_events([], receipts=["line:line-a", "line:line-z"])
        assert ledger.execute(commands(team("a"))).skipped == [0]
        by_anyone = ledger.execute([COMMAND_ADAPTER.validate_python(complaint(id="line-z", rating=1))],
                                   acting=Acting("mallory", "api"))
        assert by_anyone.accepted == [0]
        assert ledger.execute(commands(team("b"))).accepted == [0]  # new receipts on the old store keep digests
        assert all(ledger.store.receipt_digests([operator_line("line-b")]).values())
    finally:
        ledger.close()


def test_after_forgetting_the_same_feedback_is_a_duplicate_and_other_content_still_a_conflict(
    any_ledger: Ledger
) -> None:
    """The text's HMAC took the forgotten subject's key: nobody can tell any more whether it was the same text,
    so the same feedback again is a duplicate (and makes the subject no new key), while a change to the rest
    of it is still refused."""
    line = complaint(client="zoe", occurred_at=AT)
    assert any_ledger.execute([COMMAND_ADAPTER.validate_python(line)]).accepted == [0]
    any_ledger.forget("client", "zoe", reason="ticket 9")
    message = FeedbackMessage.model_validate({k: v for k, v in line.items() if k not in ("type", "id")})
    outcome = any_ledger.record_feedback([(message, "file:x:1")], None, sender="file")
    assert (outcome.recorded, outcome.duplicates, outcome.conflicts) == (0, 1, ())
    assert any_ledger.execute([COMMAND_ADAPTER.validate_python(line)]).skipped == [0]
    assert any_ledger.store.subject_keys(["client:zoe"]) == {}
    changed = any_ledger.record_feedback([(message.model_copy(update={"rating": 9.0}), "file:x:2")], None,
                                         sender="file")
    assert [index for index, _ in changed.conflicts] == [0]


def test_a_feedback_id_recorded_before_digests_is_told_by_the_feedback_it_names(any_ledger: Ledger) -> None:
    """An outsider's feedback recorded before receipts kept digests: its bare ``feedback:ID`` receipt alone cannot
    tell, but the Feedback it names can, so a client's real complaint under that id is refused, not swallowed;
    the same feedback again is a duplicate, and once its client is forgotten only the rest is compared."""
    outsider = complaint(id=None, text="nothing happened")
    any_ledger.execute([COMMAND_ADAPTER.validate_python(outsider)], acting=Acting("mallory", "api"))
    make_receipts_bare(any_ledger, "feedback:f-ann")
    real = FeedbackMessage.model_validate({k: v for k, v in complaint().items() if k not in ("type", "id")})
    refused = any_ledger.record_feedback([(real, "file:x:1")], None, sender="file")
    assert [index for index, _ in refused.conflicts] == [0]
    same = real.model_copy(update={"text": "nothing happened"})
    assert any_ledger.record_feedback([(same, "file:x:2")], None, sender="file").duplicates == 1
    any_ledger.forget("client", "ann", reason="ticket 10")
    assert any_ledger.record_feedback([(real, "file:x:3")], None, sender="file").duplicates == 1
    other = real.model_copy(update={"rating": 9.0})
    assert len(any_ledger.record_feedback([(other, "file:x:4")], None, sender="file").conflicts) == 1


def make_receipts_bare(ledger: Ledger, key: str) -> None:
    """A receipt as stores recorded it before senders and digests were kept."""
    store = ledger.store
    if isinstance(store, MemoryRecorder):
        store._receipts[key] = (None, None)
        return
    if isinstance(store, LedgerSQLiteRecorder):
        with store.datastore.transaction(commit=True) as c:
            c.execute("UPDATE receipts SET sender = NULL, digest = NULL WHERE key = ?", (key,))
        return
    with store.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
        curs.execute(f"UPDATE {store.receipts_table.as_string(curs.connection)} SET sender = NULL,"  # type: ignore[attr-defined]
                     " digest = NULL WHERE key = %s", (key,))


def make_receipts_table_old(url: str) -> None:
    """The receipts table as stores made before senders and digests had it: the key alone."""
    if url.startswith("sqlite:"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
            con.execute("DROP TABLE receipts")
            con.execute("CREATE TABLE receipts (key TEXT PRIMARY KEY) WITHOUT ROWID")
        return
    import psycopg

    schema = url.split("schema=")[1]
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{schema}".ledger_events_receipts DROP COLUMN sender, DROP COLUMN digest')


def test_a_tracking_position_is_recorded_once_with_its_events(any_ledger: Ledger) -> None:
    store = any_ledger.store
    store.insert_events([], tracking=Tracking("kafka:t:0", 5))
    assert store.max_tracking_id("kafka:t:0") == 5
    with pytest.raises(IntegrityError):
        store.insert_events([], tracking=Tracking("kafka:t:0", 5), receipts=["feedback:f1"])
    assert store.existing_receipts(["feedback:f1"]) == set()
    assert store.max_tracking_id("kafka:t:0") == 5
    assert store.max_tracking_id("kafka:t:1") is None


def test_the_chain_covers_every_event_and_verify_passes(any_ledger: Ledger) -> None:
    empty = any_ledger.verify()
    assert empty.ok and empty.events == 0
    for key in ("a", "b", "c"):
        any_ledger.execute(commands(team(key)))
    store = any_ledger.store
    report = any_ledger.verify()
    assert report.ok and report.events == 3
    links = [store.chain_link(position) for position in (1, 2, 3)]
    assert all(link is not None and len(link) == 32 for link in links) and len(set(links)) == 3
    assert store.chain_link(4) is None
    assert report.head == links[-1].hex()  # type: ignore[union-attr]


def test_notification_rows_are_the_notifications(any_ledger: Ledger) -> None:
    any_ledger.execute(commands(team("a"), team("b"), team("c")))
    store = any_ledger.store
    rows = store.select_notification_rows(2, 10)
    notifications = store.select_notifications(2, 10)
    assert rows == [(n.id, n.originator_id.hex if not isinstance(n.originator_id, str) else n.originator_id,
                     n.originator_version, n.topic, bytes(n.state)) for n in notifications]
    assert [row[0] for row in rows] == [2, 3]
    identity = store.store_identity()
    assert identity and identity == store.store_identity()


def test_forgetting_destroys_the_key_and_keeps_the_chain(any_ledger: Ledger) -> None:
    any_ledger.execute(commands({"type": "IdentifyClient", "client": "ann", "name": "Ann Smith",
                                 "kind": "external", "description": "lives at 1 Elm St"}))
    store = any_ledger.store
    assert set(store.subject_keys(None)) == {"client:ann"}
    result = any_ledger.forget("client", "ann", reason="ticket 7")
    assert result.key_destroyed
    assert store.subject_keys(["client:ann"]) == {} and store.subject_keys(None) == {}
    assert store.destroy_subject_key("client:ann") is False
    client = any_ledger.state(Client, "ann")
    assert client is not None and client.name == FORGOTTEN
    assert any_ledger.verify().ok


def test_a_reader_opens_the_same_store(any_store_url: str) -> None:
    ledger = Ledger.open(any_store_url)
    try:
        ledger.execute(commands(team("a")))
    finally:
        ledger.close()
    with opened_recorder(any_store_url, create=False) as store:
        assert store.max_notification_id() == 1
        assert store.existing_receipts([operator_line("line-a")]) == {operator_line("line-a")}
