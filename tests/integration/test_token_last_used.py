"""docs/brief.md §8's "last used" of a token: noted where a token is authenticated, kept beside the store (not
an event), written at most once a minute per token by one process, on each store adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.service.token_use import TokenUses, token_uses, with_last_used
from domain.service.tokens import authenticate, authenticate_id, issue_token
from domain.stores.token_uses import token_uses_in

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class Counting:
    """A token-use table that counts its writes."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.writes = 0

    def mark_used(self, token_id: str, at: float) -> None:
        self.writes += 1
        self.table.mark_used(token_id, at)

    def last_used(self, token_ids: Any) -> dict[str, float]:
        return self.table.last_used(token_ids)  # type: ignore[no-any-return]


def test_authenticating_a_token_notes_its_use_once_a_minute(any_ledger: Any) -> None:
    issued = issue_token(any_ledger, "ivan", "read", now=AT)
    uses = token_uses(any_ledger.store)
    assert uses.last_used([issued.token_id]) == {}  # never used
    events = len(list(any_ledger.store.select_notifications(1, 1000)))
    authenticate(any_ledger, issued.token, now=AT + timedelta(minutes=1))
    assert uses.last_used([issued.token_id]) == {issued.token_id: AT + timedelta(minutes=1)}
    authenticate_id(any_ledger, issued.token_id, now=AT + timedelta(minutes=1, seconds=30))
    authenticate(any_ledger, issued.token, now=AT + timedelta(minutes=1, seconds=40))
    assert uses.last_used([issued.token_id]) == {issued.token_id: AT + timedelta(minutes=1)}  # not written again
    assert len(list(any_ledger.store.select_notifications(1, 1000))) == events  # no event for a use
    listed = with_last_used({"items": [{"token_id": issued.token_id}, {"token_id": "0" * 16}]}, any_ledger.store)
    assert [item["last_used"] for item in listed["items"]] == [(AT + timedelta(minutes=1)).isoformat(), None]


def test_a_busy_token_costs_one_write_a_minute(any_ledger: Any) -> None:
    clock = [100.0]
    counting = Counting(token_uses_in(any_ledger.store))
    uses = TokenUses(counting, clock=lambda: clock[0])
    for second in range(120):
        clock[0] = 100.0 + second
        uses.note("a" * 16, AT + timedelta(seconds=second))
    assert counting.writes == 2  # at 0 s and at 60 s
    assert uses.last_used(["a" * 16]) == {"a" * 16: AT + timedelta(seconds=60)}


def test_an_earlier_use_never_replaces_a_later_one(any_ledger: Any) -> None:
    """Two servers writing at once: the later time stays."""
    table = token_uses_in(any_ledger.store)
    table.mark_used("b" * 16, (AT + timedelta(minutes=5)).timestamp())
    table.mark_used("b" * 16, AT.timestamp())
    assert table.last_used(["b" * 16]) == {"b" * 16: (AT + timedelta(minutes=5)).timestamp()}


def test_a_failed_write_does_not_fail_the_request_and_is_tried_again(any_ledger: Any) -> None:
    class Broken:
        def __init__(self) -> None:
            self.tries = 0

        def mark_used(self, token_id: str, at: float) -> None:
            self.tries += 1
            raise OSError("disk full")

        def last_used(self, token_ids: Any) -> dict[str, float]:
            return {}

    broken = Broken()
    uses = TokenUses(broken)
    assert not uses.note("c" * 16) and not uses.note("c" * 16)
    assert broken.tries == 2
