"""``GET /api/teams``, ``/api/promises``, ``/api/experiments``, ``/api/clients``, ``/api/people`` (docs/brief.md §8
"Lists"): ``projections.lists`` as the reader may see it, paged by ``limit``/``offset``, cached per views
position and audience."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from projections.list_kinds import KINDS
from projections.lists import list_items
from web.api_common import AsOf, Reader, json_answer, moment, server_of
from web.limits import DEFAULT_LIMIT, Limit, Offset
from web.readers import reader

router = APIRouter(prefix="/api")

ITEM = {"type": "object", "required": ["key", "name"], "properties": {
    "key": {"type": "string"},
    "name": {"type": ["string", "null"], "description": "A promise's statement, an experiment's hypothesis, a "
             "team's, client's or person's name; null (and in `redacted`) where the reader may not read it"},
    "status": {"type": "string", "description": "Promises: proposed|agreed|retired; experiments: "
               "proposed|running|concluded"},
    "redacted": {"type": "array", "items": {"type": "string"}}}}
LIST_ANSWER = {200: {"description": "{items, total, next_offset}: what the reader may see, by key", "content": {
    "application/json": {"schema": {"type": "object", "required": ["items", "total", "next_offset"], "properties": {
        "items": {"type": "array", "items": ITEM}, "total": {"type": "integer"},
        "next_offset": {"type": ["integer", "null"]}}}}}}}


def _lister(kind: str) -> Callable[..., Awaitable[Response]]:
    async def listed(request: Request, principal: Reader, as_of: AsOf = None, limit: Limit = DEFAULT_LIMIT,
                     offset: Offset = 0) -> Response:
        when = moment(as_of)
        server = server_of(request)

        def answer() -> bytes:
            viewer = reader(server, principal.person)

            def compute(con: Any) -> Any:
                return list_items(con, kind, viewer, when, limit, offset)

            return server.answer("list", (kind, when, limit, offset, viewer.audience()), compute) or b"{}"

        return json_answer(await run_in_threadpool(answer))

    return listed


for _kind in KINDS:
    router.add_api_route(f"/{_kind}", _lister(_kind), methods=["GET"], name=f"list_{_kind}",
                         summary=f"The {_kind} the reader may see (`clientocracy list {_kind} --json`), paged",
                         responses=LIST_ANSWER)  # type: ignore[arg-type]
