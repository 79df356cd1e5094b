"""``GET /api/signals`` (docs/brief.md §9): the signals active as of a time, as the reader may see them (their teams
and the clients they represent; the council all), like ``clientocracy signals --for PERSON --json``.

Signals raised by time alone change without a new event, so every signal raised by an as-of time is computed once
per views position *and* as-of time (without ``as_of``: now, rounded up to the second) and chosen from for each
reader.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from projections.signals.active import answer_of, now_for_signals
from projections.signals.cache import SIGNALS
from projections.signals.model import Signal
from web.api_common import Reader, json_answer, moment, server_of
from web.readers import reader
from web.server import Server, to_json

router = APIRouter(prefix="/api")


class State(StrEnum):
    active = "active"
    all = "all"


SIGNAL = {"type": "object", "required": ["id", "kind", "severity", "subject", "team", "client", "raised_at",
                                          "because", "url"], "properties": {
    "id": {"type": "string", "description": "The same episode (kind, subject, period) always has the same id"},
    "kind": {"type": "string"}, "severity": {"type": "string", "enum": ["info", "warning", "critical"]},
    "subject": {"type": "object", "properties": {"type": {"type": "string"}, "key": {"type": "string"}}},
    "team": {"type": ["string", "null"]}, "client": {"type": ["string", "null"]},
    "raised_at": {"type": "string", "format": "date-time"},
    "cleared_at": {"type": "string", "format": "date-time", "description": "Only with state=all, once cleared"},
    "because": {"type": "object", "description": "Keys and numbers, never personal text"},
    "url": {"type": "string"}}}
SIGNALS_ANSWER = {200: {"description": "{signals: [...]}: newest first", "content": {"application/json": {
    "schema": {"type": "object", "required": ["signals"], "properties": {
        "signals": {"type": "array", "items": SIGNAL}}}}}}}


def raised(server: Server, when: Any) -> list[Signal]:
    """Every signal raised by ``when``, computed once per views position and as-of time for every reader."""
    position = server.views.fresh()

    def compute() -> list[Signal]:
        with server.views.reading() as con:
            return SIGNALS.raised_by(con, when)

    return server.answers.answer(("signals raised", (when,)), position, server.views.generation, compute)


@router.get("/signals", summary="The signals active as of a time that the reader may see (`clientocracy signals "
            "--for PERSON --json`)", responses=SIGNALS_ANSWER)  # type: ignore[arg-type]
async def get_signals(request: Request, principal: Reader,
                      team: Annotated[str | None, Query(description="Only this team's signals")] = None,
                      client: Annotated[str | None, Query(description="Only this client's signals")] = None,
                      as_of: Annotated[str | None, Query(description="ISO-8601 business time (default: now)")] = None,
                      state: Annotated[State, Query(description="active, or all (adds cleared ones)")] = State.active,
                      ) -> Response:
    when = now_for_signals() if as_of is None else moment(as_of)
    server = server_of(request)

    def answer() -> bytes:
        viewer = reader(server, principal.person)
        found = raised(server, when)
        return to_json(answer_of(found, when, viewer, team=team, client=client, include_cleared=state is State.all,
                                 public_url=server.settings.public_url))

    return json_answer(await run_in_threadpool(answer))
