"""The hand-tuned hot paths write exactly what the general code would: the same bytes, ids and links.

Streamed feedback skips building event objects (``RecordedFeedbackEncoder``), ids skip ``uuid5``'s
overhead and chain links hash one joined buffer; stores written before or after these shortcuts
must read, replay and verify the same, so each is compared with the plain computation.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid5

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.audit import Audit
from domain.base import KEY_NAMESPACE, key_id
from domain.business_keys import invisible
from domain.commands import FeedbackMessage
from domain.feedback import Feedback
from domain.service.ledger import Ledger, feedback_fields
from domain.stores.tamper_evidence import GENESIS, chain_link

MAPPER_LEDGER = Ledger()

# Whatever the edge admits: keys without control characters, text with anything but NUL and lone surrogates.
keys = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).map(str.strip).filter(bool)
ids = keys.filter(lambda key: not any(map(invisible, key)))  # an id has no invisible character either, nor has
visible_keys = ids  # a key a feedback names (its client, channel, team, promise): docs/brief.md §10 "Keys"
texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=200)
ratings = st.one_of(st.none(), st.integers(0, 10), st.floats(0, 10), st.floats(0, 2e-4),
                    st.sampled_from([1e-7, 1e-4, 0.1 + 0.2, 9.999999999]))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
times = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=offsets)


@st.composite
def messages(draw: st.DrawFn) -> FeedbackMessage:
    fields: dict[str, Any] = {
        "feedback_id": draw(ids), "client": draw(visible_keys), "channel": draw(visible_keys), "text": draw(texts),
        "kind": draw(st.sampled_from(["complaint", "praise", "rating", "suggestion"])),
        "rating": draw(ratings), "team": draw(st.none() | visible_keys), "promise": draw(st.none() | visible_keys),
        "occurred_at": draw(times).isoformat(),
    }
    return FeedbackMessage.model_validate(fields)


@settings(max_examples=300, deadline=None)
@given(message=messages(), correlation=st.text(max_size=60))
def test_a_streamed_feedback_event_is_stored_byte_for_byte_as_the_mapper_stores_it(
    message: FeedbackMessage, correlation: str
) -> None:
    recorded_at = datetime.now(UTC)
    ours = MAPPER_LEDGER.feedback_encoder.stored_events([(message, correlation)], recorded_at)[0]

    aggregate = Feedback(audit=Audit(at=message.occurred_at, correlation=correlation), **feedback_fields(message))
    created = dataclasses.replace(aggregate.collect_events()[0], timestamp=recorded_at)
    theirs = MAPPER_LEDGER.mapper.to_stored_event(created)

    assert ours == theirs
    replayed = MAPPER_LEDGER.mapper.to_domain_event(ours).mutate(None)
    assert (replayed.id, replayed.key, replayed.text, replayed.rating, replayed.occurred_at) == (
        aggregate.id, aggregate.key, aggregate.text, aggregate.rating, aggregate.occurred_at)


@settings(deadline=None)  # a loaded machine may stall one example past the 200 ms default
@given(kind=st.sampled_from(["feedback", "team", "promise"]), key=st.text(max_size=80))
def test_key_ids_are_the_uuid5_of_kind_and_key(kind: str, key: str) -> None:
    assert key_id(kind, key) == uuid5(KEY_NAMESPACE, f"{kind}:{key}")
    assert key_id(kind, key).version == 5


def test_chain_links_are_the_ones_existing_stores_hold() -> None:
    """Values computed by the first implementation (separate hash updates): the formula must never drift."""
    first = chain_link(GENESIS, 1, UUID("12345678-1234-5678-1234-567812345678"), 1,
                       "domain.feedback:Feedback.Recorded", b'{"a":1}')
    second = chain_link(first, 2, "12345678123456781234567812345678", 3, "domain.team:Team.Formed",
                        "é".encode() * 100)
    assert first.hex() == "5dbd2eb44defbd41a757d4eedc2ccec1009f0766378d37d562f9596c6db7d009"
    assert second.hex() == "7119fa10eb721adaaf81fcd1811573329d0d529781bd965b00ae344964ab11d8"
