"""A forget that lands between a batch's reading of a subject's key and its write: the batch sealed its new text
under the key the forget destroyed, so text recorded after the forget read "[forgotten]" from the start, and a
re-send of it was skipped as a duplicate (gone for good). Now the write fails as a write conflict and the batch is
decided again under a new key. The forget runs inside the store's ``insert_events``, just before the batch's own
transaction: where a concurrent ``forget`` process lands. All three stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from domain.commands import FeedbackMessage, parse_command
from domain.feedback import Feedback
from domain.service.ledger import Ledger


def _message(feedback_id: str, text: str) -> tuple[FeedbackMessage, str]:
    return FeedbackMessage.model_validate({"feedback_id": feedback_id, "client": "x", "kind": "complaint",
                                           "channel": "e", "text": text, "occurred_at": "2026-01-01T00:00:00Z"}), \
        f"t:{feedback_id}"


@contextmanager
def forgotten_before_the_next_write(ledger: Ledger) -> Iterator[list[Any]]:
    """The next ``insert_events`` first forgets client ``x`` (once)."""
    store: Any = ledger.store
    real: Callable[..., Any] = store.insert_events
    forgets: list[Any] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        if not forgets:
            forgets.append("forgetting")  # the forget's own write comes through here too
            forgets[0] = ledger.forget("client", "x", "ticket-1")
        return real(*args, **kwargs)

    store.insert_events = racing
    try:
        yield forgets
    finally:
        store.insert_events = real


def _text(ledger: Ledger, feedback_id: str) -> str | None:
    found = ledger.state(Feedback, feedback_id)
    assert found is not None
    return found.text  # type: ignore[no-any-return]


def test_feedback_recorded_after_a_forget_keeps_its_text(any_store_url: str) -> None:
    ledger = Ledger.open(any_store_url)
    try:
        ledger.record_feedback([_message("f1", "old complaint")], None, sender="kafka")
        with forgotten_before_the_next_write(ledger) as forgets:
            outcome = ledger.record_feedback([_message("f2", "new complaint")], None, sender="kafka")
        assert forgets and outcome.recorded == 1
        assert _text(ledger, "f1") == "[forgotten]" and _text(ledger, "f2") == "new complaint"
    finally:
        ledger.close()


def test_a_command_recorded_after_a_forget_keeps_its_text(any_store_url: str) -> None:
    ledger = Ledger.open(any_store_url)
    try:
        line = ('{{"type": "RecordFeedback", "feedback_id": "{}", "client": "x", "kind": "complaint", '
                '"channel": "e", "text": "{}", "occurred_at": "2026-01-01T00:00:00Z"}}')
        ledger.execute([parse_command(line.format("f1", "old complaint"))])
        with forgotten_before_the_next_write(ledger) as forgets:
            result = ledger.execute([parse_command(line.format("f2", "new complaint"))])
        assert forgets and result.accepted == [0]
        assert _text(ledger, "f1") == "[forgotten]" and _text(ledger, "f2") == "new complaint"
    finally:
        ledger.close()
