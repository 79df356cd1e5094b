"""``/api/tokens``: a person issues, lists and revokes their own tokens; the council issues read or ingest
tokens for others and revokes any (docs/brief.md §10). The rules are ``domain.service.tokens``'s."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain import commands as c
from domain.base import DomainError
from domain.service.tokens import Principal, TokenRefused, UnknownToken
from web import token_actions
from web.api_common import Reader, json_body_of, server_of
from web.auth import ApiError, current_principal, require_scope
from web.limits import DEFAULT_LIMIT, Limit, Offset

router = APIRouter(prefix="/api")
Writer = Annotated[Principal, Depends(require_scope("write"))]
Anyone = Annotated[Principal, Depends(current_principal)]


class TokenRequest(BaseModel):
    """A token to issue: for oneself (``person`` left out), or, by the council, a read or ingest token for another."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person: c.Key | None = None
    scope: Literal["write", "read", "ingest"] = "read"
    expires_days: Annotated[float | None, Field(strict=True, gt=0, le=3650)] = None


def _errors(call: Any) -> Any:
    try:
        return call()
    except TokenRefused as error:
        raise ApiError(403, str(error), error.rule) from None
    except UnknownToken as error:
        raise ApiError(404, str(error)) from None
    except DomainError as error:
        raise ApiError(422, str(error)) from None


@router.post("/tokens", status_code=201, summary="Issue a token (shown once): one's own, or the council's read/ingest "
             "token for another", responses={201: {"description": "{token_id, token, person, scope, expires_at}"}},
             openapi_extra=json_body_of(TokenRequest))
async def post_token(request: Request, principal: Writer) -> JSONResponse:
    try:
        body = TokenRequest.model_validate_json(await request.body())
    except ValidationError as error:
        raise ApiError(422, c.describe_errors(error)) from None
    server = server_of(request)

    def issued() -> JSONResponse:
        token = _errors(lambda: token_actions.issue(server, principal, body.person, body.scope, body.expires_days))
        return JSONResponse(token.to_dict(), status_code=201)

    return await run_in_threadpool(issued)


@router.get("/tokens", summary="Tokens (never the tokens themselves): one's own; the council's: anyone's")
async def get_tokens(request: Request, principal: Reader,
                     person: Annotated[str | None, Query(max_length=200)] = None,
                     limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Response:
    server = server_of(request)

    def listed() -> dict[str, Any]:
        return token_actions.tokens(server, principal, person, limit, offset)

    return JSONResponse(await run_in_threadpool(listed))


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one's own token (any token: the council)")
async def delete_token(request: Request, token_id: str, principal: Anyone) -> Response:
    server = server_of(request)

    def revoke() -> None:
        _errors(lambda: token_actions.revoke(server, principal, token_id))

    await run_in_threadpool(revoke)
    return Response(status_code=204)
