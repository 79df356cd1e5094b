"""A data subject's key is written in the same transaction as the first events sealed with it (docs/brief.md §7):
a batch whose events could not be written (another session held the store's lock past its bound) leaves no key
behind, so a later ``forget`` of that subject says it is unknown instead of recording an erasure of nothing; and
writers making the first key of one subject at once end with one key, which opens every writer's text."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest

from domain import commands as c
from domain.feedback import Feedback
from domain.service.forget import UnknownSubject
from domain.service.ledger import Ledger
from domain.stores.lock_wait import LockWaitTimeout
from tests.support import pg_locks
from tests.support.cli import CLI, jsonl
from tests.support.privacy import is_postgres, sqlite_path
from tests.support.race import race
from tests.support.sqlite_locks import write_lock_held

T0 = "2026-01-05T09:00:00+00:00"
SUBJECT = "client:newco"


@pytest.fixture()
def bounded(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    """A ledger whose lock waits give up after one second (set before the store is opened)."""
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "1")
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", "1")
    ledger = Ledger.open(store_url)
    yield ledger
    ledger.close()


def events_lock(store_url: str) -> AbstractContextManager[Any]:
    """Another session holding the lock an insert of events needs (SQLite: the file's write lock)."""
    if is_postgres(store_url):
        return pg_locks.held(store_url, f"LOCK TABLE {pg_locks.table(store_url, 'ledger_events')} IN EXCLUSIVE MODE")
    return write_lock_held(sqlite_path(store_url))


def after_the_keys_are_read(ledger: Ledger, monkeypatch: pytest.MonkeyPatch, then: Callable[[], object]) -> list[Any]:
    """Run ``then`` once, right after the batch has looked up (and formerly made) its subjects' keys; the
    look-ups' arguments, one per attempt at the batch."""
    look_up = ledger.store.subject_keys
    calls: list[Any] = []

    def looked_up(*args: Any, **kwargs: Any) -> Any:
        found = look_up(*args, **kwargs)
        calls.append(args)
        if len(calls) == 1:
            then()
        return found

    monkeypatch.setattr(ledger.store, "subject_keys", looked_up)
    return calls


def identify(client: str = "newco") -> list[c.Command]:
    return [c.COMMAND_ADAPTER.validate_python({"type": "IdentifyClient", "client": client, "name": "New Co Ltd",
                                               "kind": "external", "at": T0})]


def feedback(feedback_id: str, text: str, client: str = "newco") -> c.FeedbackMessage:
    return c.FeedbackMessage.model_validate({"feedback_id": feedback_id, "client": client, "kind": "complaint",
                                             "channel": "app", "text": text, "occurred_at": T0})


WRITES: dict[str, Callable[[Ledger], object]] = {
    "import": lambda ledger: ledger.execute(identify()),
    "feedback": lambda ledger: ledger.record_feedback([(feedback("f1", "call me at home"), "m1")], tracking=None),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_batch_whose_events_wait_out_a_lock_leaves_no_key(
        bounded: Ledger, store_url: str, write: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = bounded
    with ExitStack() as other:
        after_the_keys_are_read(ledger, monkeypatch, lambda: other.enter_context(events_lock(store_url)))
        with pytest.raises(LockWaitTimeout):
            WRITES[write](ledger)
    assert ledger.store.subject_keys([SUBJECT]) == {}
    with pytest.raises(UnknownSubject):
        ledger.forget("client", "newco", reason="no such client")

    WRITES[write](ledger)  # once the lock is free the same batch lands, with its key
    assert set(ledger.store.subject_keys([SUBJECT])) == {SUBJECT}
    assert ledger.verify().ok
    result = ledger.forget("client", "newco", reason="ticket 1")
    assert result.key_destroyed and result.erasure == SUBJECT


def test_a_withheld_batch_leaves_no_key(bounded: Ledger) -> None:
    """All or nothing (``whole``), one command refused: nothing is written, not even the other's key."""
    refused = c.COMMAND_ADAPTER.validate_python({"type": "AddMember", "team": "nope", "person": "bob",
                                                "role": "member", "at": T0})
    assert bounded.execute([*identify(), refused], whole=True).withheld
    assert bounded.store.subject_keys([SUBJECT]) == {}
    with pytest.raises(UnknownSubject):
        bounded.forget("client", "newco", reason="no such client")


def test_a_command_refused_after_its_text_was_sealed_leaves_no_key(bounded: Ledger) -> None:
    """Personal fields are sealed before the handler judges the command: a look-alike key refused there must not
    leave its subject a key beside the batch's other events."""
    result = bounded.execute([*identify("acme"), *identify("ACME")])
    assert result.accepted == [0] and [index for index, _ in result.rejected] == [1]
    assert set(bounded.store.subject_keys(["client:acme", "client:ACME"])) == {"client:acme"}
    with pytest.raises(UnknownSubject):
        bounded.forget("client", "ACME", reason="no such client")


def test_two_writers_making_one_subjects_first_key_agree_on_it(
        bounded: Ledger, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second writer found no key, then the first committed its key and feedback: the second's batch clashes
    on the key row, is decided again with the first's key, and lands; both texts open with the one key."""
    ledger = bounded
    first = Ledger.open(store_url)
    try:
        attempts = after_the_keys_are_read(ledger, monkeypatch, lambda: first.record_feedback(
            [(feedback("f1", "first writer's text"), "m1")], tracking=None))
        assert ledger.record_feedback([(feedback("f2", "second writer's text"), "m2")], tracking=None).recorded == 1
    finally:
        first.close()
    assert len(attempts) == 2  # the clash on the key row, then the batch decided again with the first's key
    assert len(ledger.store.subject_keys([SUBJECT])) == 1
    texts = [ledger.state(Feedback, f).text for f in ("f1", "f2")]  # type: ignore[union-attr]
    assert texts == ["first writer's text", "second writer's text"]
    assert ledger.verify().ok


def test_writers_in_parallel_sealing_for_the_same_new_clients(store_url: str, tmp_path: Path) -> None:
    """Four ledgers (as four processes would, each with its own connections) record feedback for the same
    twenty new clients at once: every text opens, one key per client, the chain verifies."""
    clients = [f"co{i}" for i in range(20)]
    writers = [Ledger.open(store_url) for _ in range(4)]  # opened before the start: they meet on each client

    def write(worker: int) -> None:
        for client in clients:
            writers[worker].record_feedback([(feedback(f"w{worker}-{client}", f"text {worker} {client}", client),
                                              f"m{worker}-{client}")], tracking=None)

    try:
        assert race(4, write) == []
    finally:
        for writer in writers:
            writer.close()
    _every_text_opens_with_one_key_per_client(store_url, "w", 4, clients)


def _every_text_opens_with_one_key_per_client(store_url: str, prefix: str, workers: int,
                                              clients: list[str]) -> None:
    ledger = Ledger.open(store_url)
    try:
        assert set(ledger.store.subject_keys([f"client:{client}" for client in clients])) == {
            f"client:{client}" for client in clients}
        for worker in range(workers):
            for client in clients:
                found = ledger.state(Feedback, f"{prefix}{worker}-{client}")
                assert found is not None and found.text == f"text {worker} {client}"
        assert ledger.verify().ok
    finally:
        ledger.close()


@pytest.mark.processes
def test_two_imports_at_once_of_the_same_new_clients(store_url: str) -> None:
    """Two ``clientocracy import`` processes, one line per transaction, feedback for the same new clients in
    opposite orders: both succeed, every text opens, one key per client, the chain verifies."""
    clients = [f"co{i}" for i in range(30)]

    def lines(worker: int) -> str:
        return jsonl([{"type": "RecordFeedback", "feedback_id": f"p{worker}-{client}", "client": client,
                       "kind": "complaint", "channel": "app", "text": f"text {worker} {client}", "occurred_at": T0}
                      for client in (clients if worker == 0 else clients[::-1])])

    runs = [subprocess.Popen([*CLI, "import", "-", "--chunk", "1", "--store", store_url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(lines(worker), timeout=300) for worker, run in enumerate(runs)]
    assert [run.returncode for run in runs] == [0, 0], outputs
    _every_text_opens_with_one_key_per_client(store_url, "p", 2, clients)
