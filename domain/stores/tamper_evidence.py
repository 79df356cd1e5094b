"""A hash chain over the whole event log: each link covers one stored event and the link before it.

Changing any stored byte, deleting, inserting or reordering an event breaks every link
from that position on, so ``verify`` can name the first bad position.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

GENESIS = bytes(32)
sha256 = hashlib.sha256


_LINK_HEADER = struct.Struct(">qq16sI")
_STATE_LENGTH = struct.Struct(">Q")


def chain_link(previous: bytes, notification_id: int, originator_id: UUID | str, version: int, topic: str,
               state: bytes) -> bytes:
    """SHA-256 of the previous link and every stored field of the event, length-delimited."""
    oid = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    topic_bytes = topic.encode()
    return hashlib.sha256(b"".join((
        previous,
        _LINK_HEADER.pack(notification_id, version, oid.bytes, len(topic_bytes)),
        topic_bytes,
        _STATE_LENGTH.pack(len(state)),
        state,
    ))).digest()


@dataclass(frozen=True)
class ChainHead:
    """The chain's newest link, kept in one row beside it, so losing the newest events shows too."""

    position: int
    events: int
    link: bytes


GENESIS_HEAD = ChainHead(0, 0, GENESIS)

NewEvent = tuple[int, UUID | str, int, str, bytes]
"""(position, originator id, version, topic, stored state) of an event being appended."""


def extend_chain(head: ChainHead, events: Iterable[NewEvent]) -> tuple[list[tuple[int, bytes, int]], ChainHead]:
    """Chain rows (position, link, previous position) for consecutive new events, and the new head."""
    rows = []
    link, previous = head.link, head.position
    for position, originator_id, version, topic, state in events:
        link = chain_link(link, position, originator_id, version, topic, state)
        rows.append((position, link, previous))
        previous = position
    return rows, ChainHead(previous, head.events + len(rows), link)


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


ChainRow = tuple[int, Any, Any, Any, Any, Any, Any]
"""(position, originator id, version, topic, state, link, previous position) from a full outer join
of the events and the chain: event fields are None where only a link remains, and vice versa."""


_HEX32 = re.compile(r"[0-9a-f]{32}")


def _not_as_written(originator_id: Any, version: Any, topic: Any, state: Any) -> str | None:
    """Why a row's fields are not in the exact form the recorders write (None when they are).

    The link hashes the id's 16 bytes and the version's value, so a re-spelt id (upper case,
    dashes) or a version stored as 2.0 would still hash the same; they must be caught here.
    """
    if not isinstance(originator_id, UUID) and not (
        isinstance(originator_id, str) and _HEX32.fullmatch(originator_id)
    ):
        return f"aggregate id {originator_id!r}"
    if type(version) is not int:
        return f"version {version!r}"
    if not isinstance(topic, str):
        return f"topic {topic!r}"
    if not isinstance(state, bytes | memoryview):
        return f"state stored as {type(state).__name__}, not bytes"
    return None


def _as_bytes(value: Any) -> bytes:
    """Stored bytes as the database returns them; text (what a careless edit leaves) as its UTF-8."""
    return value.encode() if isinstance(value, str) else bytes(value)


def _checked_link(previous: bytes, position: int, originator_id: UUID | str, version: int, topic: str,
                  state: bytes) -> bytes:
    """``chain_link`` for a row already checked by ``_not_as_written`` (the id is 32 lower-case hex
    digits or a UUID), without parsing the id into a UUID: the same bytes, a third of the time."""
    oid = originator_id.bytes if isinstance(originator_id, UUID) else bytes.fromhex(originator_id)
    topic_bytes = topic.encode()
    return sha256(b"".join((
        previous,
        _LINK_HEADER.pack(position, version, oid, len(topic_bytes)),
        topic_bytes,
        _STATE_LENGTH.pack(len(state)),
        state,
    ))).digest()


def _check_row(position: int, originator_id: Any, version: Any, topic: Any, state: Any, stored_link: Any,
               previous: Any, last_position: int, previous_link: bytes) -> tuple[str | None, int, bytes]:
    """One step of the walk: what is wrong with the row (None if nothing), where, and the row's link."""
    if originator_id is None:
        return "event deleted (its chain link remains)", position, previous_link
    if stored_link is None:
        return "event has no chain link (inserted)", position, previous_link
    if previous != last_position:
        if isinstance(previous, int) and previous > last_position:
            return "event deleted together with its chain link", previous, previous_link
        return "chain order broken (an event was inserted or moved)", position, previous_link
    odd = _not_as_written(originator_id, version, topic, state)
    if odd:
        return f"event not stored as the ledger writes it ({odd})", position, previous_link
    try:
        link = _checked_link(previous_link, position, originator_id, version, topic, bytes(state))
        intact = link == _as_bytes(stored_link)
    except (TypeError, ValueError, AttributeError) as error:
        return f"event unreadable ({error.__class__.__name__}: {error})", position, previous_link
    if not intact:
        return "event bytes or order differ from the chain (changed or reordered)", position, previous_link
    return None, position, link


@dataclass(frozen=True)
class Walk:
    """Where a walk along the chain stands: events checked, the last good position and its link,
    and the first problem met (then ``at`` is its position)."""

    events: int
    last_position: int
    link: bytes
    problem: str | None = None
    at: int | None = None


GENESIS_WALK = Walk(0, 0, GENESIS)


def walk_rows(rows: Iterable[ChainRow], start: Walk) -> Walk:
    """Check rows in position order, continuing from ``start``; stop at the first problem."""
    expected, events, last_position = start.link, start.events, start.last_position
    for position, originator_id, version, topic, state, stored_link, previous in rows:
        problem, at, link = _check_row(position, originator_id, version, topic, state, stored_link, previous,
                                       last_position, expected)
        if problem is not None:
            return Walk(events, last_position, expected, problem, at)
        expected = link
        events += 1
        last_position = position
    return Walk(events, last_position, expected)


def conclude(walk: Walk, head: ChainHead | None) -> VerifyReport:
    """The report of a walk over the whole log, checked against the stored chain head."""
    events, last_position, expected = walk.events, walk.last_position, walk.link
    if walk.problem is not None:
        return VerifyReport(events, walk.at, walk.problem, expected.hex())
    if events and head is None:
        return VerifyReport(events, last_position, "the chain head is missing", expected.hex())
    if head is not None and (head.position, head.events, head.link) != (last_position, events, expected):
        if head.position > last_position:
            return VerifyReport(events, last_position + 1, f"the newest events are missing (the chain head is at "
                                f"position {head.position} after {head.events} events)", expected.hex())
        return VerifyReport(events, last_position, "the chain head does not match the log", expected.hex())
    return VerifyReport(events, None, None, expected.hex())


def verify_rows(pages: Iterator[Sequence[ChainRow]], head: ChainHead | None) -> VerifyReport:
    """Walk the rows in position order and name the first position that breaks the chain."""
    walk = GENESIS_WALK
    for page in pages:
        walk = walk_rows(page, walk)
        if walk.problem is not None:
            break
    return conclude(walk, head)


# Checking the log in independent segments ---------------------------------------------------
# Each link covers its event and the link stored before it, so a segment (lo, hi] can be checked
# on its own, starting from the link stored at the last position <= lo: up to the first bad
# position every stored link equals the recomputed one, so the segments together find exactly
# what one walk over the whole log finds.

EventRow = tuple[int, Any, Any, Any, Any]
"""(position, originator id, version, topic, state) as stored."""
LinkRow = tuple[int, Any, Any]
"""(position, link, previous position) as stored."""


def joined(events: Sequence[EventRow], links: Sequence[LinkRow]) -> Iterator[ChainRow]:
    """The full outer join of a segment's events and links (each in position order), by position."""
    if len(events) == len(links) and all(e[0] == k[0] for e, k in zip(events, links, strict=True)):
        for (position, oid, version, topic, state), (_, link, previous) in zip(events, links, strict=True):
            yield position, oid, version, topic, state, link, previous
        return
    e = k = 0
    while e < len(events) or k < len(links):
        event_position = events[e][0] if e < len(events) else None
        link_position = links[k][0] if k < len(links) else None
        if link_position is None or (event_position is not None and event_position < link_position):
            yield (*events[e], None, None)
            e += 1
        elif event_position is None or link_position < event_position:
            yield (link_position, None, None, None, None, links[k][1], links[k][2])
            k += 1
        else:
            yield (*events[e], links[k][1], links[k][2])
            e += 1
            k += 1


def check_segment(events: Sequence[EventRow], links: Sequence[LinkRow], before: tuple[int, Any] | None) -> Walk:
    """Walk one segment; ``before`` is the (position, stored link) of the last link before it, if any."""
    start = GENESIS_WALK if before is None else Walk(0, int(before[0]), _as_bytes(before[1]))
    return walk_rows(joined(events, links), start)


def combine(segments: Iterable[Walk]) -> Walk:
    """The walk over consecutive segments: events add up to the first segment with a problem."""
    total = 0
    last = GENESIS_WALK
    for walk in segments:
        last = Walk(total + walk.events, walk.last_position, walk.link, walk.problem, walk.at)
        if walk.problem is not None:
            break
        total += walk.events
    return last
