"""What the API's endpoints share: who may read, the server of a request, and JSON answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from domain.service.tokens import Principal
from web.auth import ApiError, require_scope
from web.server import Server, as_of_moment

Reader = Annotated[Principal, Depends(require_scope("read", "write"))]
AsOf = Annotated[str | None, Query(description="ISO-8601 business time: the answer as it was then.")]


def server_of(request: Request) -> Server:
    return request.app.state.server  # type: ignore[no-any-return]


def json_answer(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def moment(text: str | None, name: str = "as_of") -> Any:
    try:
        return as_of_moment(text)
    except ValueError as error:
        raise ApiError(422, f"{name}: {text!r} is not an ISO-8601 time ({error})") from None


def json_body_of(model: type[BaseModel]) -> dict[str, Any]:
    """An operation's ``openapi_extra`` declaring the JSON body it reads itself (so the document says what the
    server accepts: docs/brief.md §10 "The OpenAPI document is the truth")."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}
