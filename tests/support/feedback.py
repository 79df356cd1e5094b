"""Feedback payloads for the ingest tests (valid, re-sent and every bad class) and a store-side count.

The count reads the ``Feedback.Recorded`` events themselves, not any projection, so "exactly
once" is checked against what the event store really holds.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from domain.feedback import Feedback
from domain.service.ledger import Ledger

RECORDED_TOPIC = get_topic(Feedback.Recorded)  # type: ignore[attr-defined]  # made by @event
KINDS = ("complaint", "praise", "rating", "suggestion")


def feedback(feedback_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid feedback message; ``overrides`` replace fields (``None`` values are kept as JSON null)."""
    message: dict[str, Any] = {
        "feedback_id": feedback_id,
        "client": "client-ann",
        "kind": "complaint",
        "channel": "app",
        "text": f"the soup was cold ({feedback_id})",
        "rating": 3,
        "team": "kitchen",
        "occurred_at": "2026-03-01T12:00:00Z",
    }
    message.update(overrides)
    return message


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, allow_nan=True).encode()


def without(field: str) -> bytes:
    message = feedback("f-missing")
    del message[field]
    return encode(message)


@dataclass(frozen=True)
class BadCase:
    """One class of bad input: the payload, the reason code it must get and a word its reason must name."""

    label: str
    payload: bytes | None
    code: str
    names: str


BAD_CASES: tuple[BadCase, ...] = (
    BadCase("not UTF-8", b'{"feedback_id": "f\xff\xfe"}', "not_utf8", "UTF-8"),
    BadCase("not JSON", b'{"feedback_id": "f1", ', "not_json", "JSON"),
    BadCase("array, not an object", b"[1, 2, 3]", "not_object", "object"),
    BadCase("string, not an object", b'"complaint"', "not_object", "object"),
    BadCase("null, not an object", b"null", "not_object", "object"),
    BadCase("empty value", None, "empty", "no value"),
    BadCase("missing client", without("client"), "invalid_fields", "client"),
    BadCase("missing occurred_at", without("occurred_at"), "invalid_fields", "occurred_at"),
    BadCase("feedback_id not a string", encode(feedback(42)), "invalid_fields", "feedback_id"),  # type: ignore[arg-type]
    BadCase("rating as a string", encode(feedback("f-s", rating="7")), "invalid_fields", "rating"),
    BadCase("unknown kind", encode(feedback("f-k", kind="rant")), "invalid_fields", "kind"),
    BadCase("rating above 10", encode(feedback("f-hi", rating=11)), "invalid_fields", "rating"),
    BadCase("rating below 0", encode(feedback("f-lo", rating=-0.5)), "invalid_fields", "rating"),
    BadCase("rating NaN", encode(feedback("f-nan", rating=float("nan"))), "invalid_fields", "finite"),
    BadCase("rating Infinity", encode(feedback("f-inf", rating=float("inf"))), "invalid_fields", "finite"),
    BadCase("unparseable occurred_at", encode(feedback("f-t", occurred_at="last Tuesday")), "invalid_fields",
            "occurred_at"),
    BadCase("text over 4000", encode(feedback("f-long", text="x" * 4001)), "invalid_fields", "text"),
    BadCase("unknown field", encode(feedback("f-x", mood="grumpy")), "invalid_fields", "mood"),
    BadCase("blank feedback_id", encode(feedback("   ")), "invalid_fields", "feedback_id"),
)


def random_bad(rng: random.Random) -> bytes:
    """A bad payload of a random class (never empty, so it also fits a JSONL line)."""
    case = rng.choice([c for c in BAD_CASES if c.payload is not None])
    assert case.payload is not None
    return case.payload


def recorded_feedback_ids(ledger: Ledger) -> Counter[str]:
    """How many ``Feedback.Recorded`` events the store holds per feedback_id."""
    counts: Counter[str] = Counter()
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start, 1000, topics=[RECORDED_TOPIC])
        if not page:
            return counts
        counts.update(ledger.mapper.to_domain_event(n).key for n in page)  # type: ignore[attr-defined]
        start = page[-1].id + 1
