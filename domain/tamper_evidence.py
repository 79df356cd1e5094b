"""A hash chain over the whole event log: each link covers one stored event and the link before it.

Changing any stored byte, deleting, inserting or reordering an event breaks every link
from that position on, so ``verify`` can name the first bad position.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID

GENESIS = bytes(32)


def chain_link(previous: bytes, notification_id: int, originator_id: UUID | str, version: int, topic: str,
               state: bytes) -> bytes:
    """SHA-256 of the previous link and every stored field of the event, length-delimited."""
    digest = hashlib.sha256(previous)
    oid = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    topic_bytes = topic.encode()
    digest.update(struct.pack(">qq16sI", notification_id, version, oid.bytes, len(topic_bytes)))
    digest.update(topic_bytes)
    digest.update(struct.pack(">Q", len(state)))
    digest.update(state)
    return digest.digest()


def chain_links(previous: bytes, rows: Iterable[tuple[int, UUID | str, int, str, bytes]]) -> list[tuple[int, bytes]]:
    """Links for consecutive events (notification_id, originator_id, version, topic, state)."""
    links = []
    for notification_id, originator_id, version, topic, state in rows:
        previous = chain_link(previous, notification_id, originator_id, version, topic, state)
        links.append((notification_id, previous))
    return links


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of checking the whole log; ``first_bad_position`` is None when it is intact."""

    events: int
    first_bad_position: int | None
    problem: str | None
    head: str

    @property
    def ok(self) -> bool:
        return self.first_bad_position is None

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_bad_position": self.first_bad_position,
            "problem": self.problem,
            "head": self.head,
        }


ChainRow = tuple[int, UUID | str | None, int | None, str | None, bytes | None, bytes | None]


def verify_rows(pages: Iterator[Sequence[ChainRow]]) -> VerifyReport:
    """Walk (position, originator_id, version, topic, state, stored_link) rows in position order.

    A row with no event (originator_id None) is a link whose event was deleted; a row with
    no link is an event inserted behind the chain's back.
    """
    expected = GENESIS
    events = 0
    for page in pages:
        for position, originator_id, version, topic, state, stored_link in page:
            if originator_id is None:
                return VerifyReport(events, position, "event deleted (its chain link remains)", expected.hex())
            if stored_link is None:
                return VerifyReport(events, position, "event has no chain link (inserted)", expected.hex())
            assert version is not None and topic is not None and state is not None
            expected = chain_link(expected, position, originator_id, version, topic, bytes(state))
            if expected != bytes(stored_link):
                return VerifyReport(
                    events, position, "event bytes or order differ from the chain (changed or reordered)",
                    expected.hex(),
                )
            events += 1
    return VerifyReport(events, None, None, expected.hex())
