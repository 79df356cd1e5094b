"""docs/brief.md §10 "Cost bounds": what one request may ask of the server, and the shape of every list.

- A JSON body is at most 1 MiB (``web.errors.BodyLimit``) and an array of commands at most ``MAX_BATCH``
  long: 413 past either.
- A query parameter given more than ``MAX_REPEATS`` times: 422 (``RepeatedQuery``, every route).
- ``limit`` is 1 to ``MAX_LIMIT`` (default ``DEFAULT_LIMIT``), ``offset`` 0 to ``MAX_OFFSET``: 422 outside.
- Nested JSON deeper than ``domain.json_input.MAX_DEPTH``: 422 (the shared framing).
- A list answers ``{items, total, next_offset}`` (``page``): never all of what others can add to.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Query
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_BATCH = 1000
MAX_REPEATS = 10
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 2**62  # any offset past the data is an empty page; this one still fits a 64-bit integer

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many items (1 to {MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many items first.")]


class RepeatedQuery:
    """Refuse a request whose query string gives one parameter more than ``MAX_REPEATS`` times (422)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            counts: dict[str, int] = {}
            for name, _ in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
                counts[name] = counts.get(name, 0) + 1
                if counts[name] > MAX_REPEATS:
                    answer = JSONResponse({"error": f"query parameter {name!r} is given more than {MAX_REPEATS} "
                                                    "times"}, status_code=422)
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)
