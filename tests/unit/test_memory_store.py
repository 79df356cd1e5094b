"""What only the in-memory store does: a new store per ``memory://``, no reopening by another process,
and ``verify`` naming what a change to its memory broke (the other adapters' tampering is in
integration/test_verify.py; their shared store behaviour in integration/test_store_port.py)."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import StoredEvent

from domain.commands import COMMAND_ADAPTER, Command
from domain.service.ledger import Ledger
from domain.stores.errors import StoreError, StoreMissing
from domain.stores.memory import MemoryRecorder

AT = "2026-01-05T09:00:00Z"


def commands(*lines: dict[str, object]) -> list[Command]:
    return [COMMAND_ADAPTER.validate_python({"at": AT, **line}) for line in lines]


def team(key: str) -> dict[str, object]:
    return {"type": "FormTeam", "id": f"line-{key}", "team": key, "name": key.title()}


def test_an_anonymous_memory_store_is_new_each_time_and_cannot_be_reopened() -> None:
    first, second = Ledger.open("memory://"), Ledger()
    first.execute(commands(team("a")))
    assert first.store.max_notification_id() == 1 and second.store.max_notification_id() is None
    assert first.store_url is None  # no writer process can open it again
    with pytest.raises(StoreMissing):
        Ledger.open("memory://", create=False)
    with pytest.raises(StoreMissing):
        Ledger.open("memory://never-made", create=False)
    with pytest.raises(StoreError):
        Ledger.open("memory://x?schema=y")


def test_the_librarys_bare_recorder_is_refused_at_open() -> None:
    with pytest.raises(StoreError, match="not a ledger store"):
        Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.mark.parametrize("how", ["change", "delete-last", "drop-link"])
def test_verify_names_the_first_bad_position_in_memory(ledger: Ledger, how: str) -> None:
    for key in "abcde":
        ledger.execute(commands(team(key)))
    recorder = ledger.store
    assert isinstance(recorder, MemoryRecorder)
    events = recorder._stored_events  # what a tamperer with the process's memory would reach
    if how == "change":
        third = events[2]
        events[2] = StoredEvent(third.originator_id, third.originator_version, third.topic, third.state + b" ")
        expected = 3
    elif how == "delete-last":
        events.pop()
        expected = 5
    else:
        del recorder._links[4]
        expected = 4
    report = ledger.verify()
    assert not report.ok and report.first_bad_position == expected, report
