"""Who reads, for the API, the pages and the live stream: a request's person as docs/brief.md §10's read
rules see them (``domain.read_policy.Viewer``), from the server's views and cached per views position."""

from __future__ import annotations

from typing import Any

from domain.read_policy import Viewer
from projections import read_rules, suggestions
from projections.read_rules import NotReadable
from web.auth import ApiError
from web.server import MISS, Server

__all__ = ["NotReadable", "forbidden", "not_found", "peek_answer", "reader", "redacted_answer", "stream_positions"]


def reader(server: Server, person: str) -> Viewer:
    """``person``'s rights as of the views now: a few indexed lookups, once per views position."""
    found = server.peek("viewer", (person,))
    if found is not MISS:
        return found  # type: ignore[no-any-return]
    position = server.views.fresh()

    def compute() -> Viewer:
        with server.views.reading() as con:
            return read_rules.viewer_of(con, person)

    return server.answers.answer(("viewer", (person,)), position, server.views.generation, compute)


def stream_positions(server: Server, person: str, after: int, upto: int) -> list[int]:
    """The positions in (after, upto] a live stream sends ``person``: those of events they may read; streams of
    one audience share one answer per views position."""
    viewer = reader(server, person)
    if read_rules.sees_all_events(viewer):
        return list(range(after + 1, upto + 1))

    def compute() -> list[int]:
        with server.views.reading() as con:
            return read_rules.visible_positions(con, viewer, after, upto)

    question = ("stream", (viewer.audience(), after, upto))
    return server.answers.answer(question, server.views.position, server.views.generation, compute)


def not_found(server: Server, person: str, kind: str, key: str, when: Any, as_of: str | None) -> ApiError:
    """The 404 of an unknown ``kind`` key, with ``did_you_mean``: the nearest keys ``person`` may see."""
    viewer = reader(server, person)
    server.views.fresh()
    with server.views.reading() as con:
        near = suggestions.did_you_mean(con, kind, key, viewer, when)
    return ApiError(404, suggestions.not_found(kind, key, as_of, near), extra={"did_you_mean": near})


def forbidden(error: NotReadable) -> ApiError:
    return ApiError(403, str(error), error.rule)


def peek_answer(server: Server, person: str, kind: str, args: tuple[Any, ...]) -> Any:
    """A cached, current answer for ``person`` without blocking on the store or the views, or ``MISS``."""
    viewer = server.peek("viewer", (person,))
    return MISS if viewer is MISS else server.peek(kind, (*args, viewer.audience()))


def redacted_answer(server: Server, person: str, kind: str, args: tuple[Any, ...], compute: Any,
                    redact: str | None = None) -> bytes | None:
    """``compute(con, viewer)`` (a show answer) as ``person`` may read it, as JSON; cached per views position and
    per audience (``Viewer.audience``), so one person's answer is never served to another who may read less.
    Raises ``NotReadable`` when nothing of it may be read."""
    viewer = reader(server, person)
    rule = read_rules.ANSWERS[redact or kind]
    return server.answer(kind, (*args, viewer.audience()), lambda con: rule(viewer, compute(con, viewer)))
