"""``/api/webhooks``: the council adds, lists, reads and removes the endpoints signals are delivered to
(docs/brief.md §9); the secret is in the answer to ``POST`` only. Anyone else may not add one (403) and sees none:
the list is empty and an id is not found (404), as with another person's token."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from domain import commands as c
from domain.service.tokens import Principal, is_council
from web.api_common import json_body_of, server_of
from web.auth import ApiError, require_scope

router = APIRouter(prefix="/api")
Writer = Annotated[Principal, Depends(require_scope("write"))]
Reader = Annotated[Principal, Depends(require_scope("read", "write"))]
EndpointId = Annotated[str, Path(max_length=64, description="The id `webhook add` or POST answered (whe_…).")]
Kind = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]{0,63}$")]
RULE = "webhooks: the council"


class WebhookRequest(BaseModel):
    """An endpoint to add: an http(s) URL, optionally only one team's signals or only some kinds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Annotated[str, StringConstraints(strict=True, min_length=8, max_length=2000, pattern=r"^https?://")]
    team: c.Key | None = None
    kinds: Annotated[list[Kind], Field(max_length=50)] = []
    format: Literal["standard", "slack"] = "standard"


def _council(request: Request, principal: Principal) -> Any:
    server = server_of(request)
    if not is_council(server.ledger, principal.person):
        raise ApiError(403, "only the council manages webhooks", RULE)
    return server


def _sees_all(request: Request, principal: Principal) -> bool:
    return is_council(server_of(request).ledger, principal.person)


def _not_found(endpoint_id: str) -> ApiError:
    return ApiError(404, f"no webhook endpoint {endpoint_id!r}")


def _endpoint(server: Any, endpoint_id: str) -> dict[str, Any]:
    from domain.stores.webhook_tables import webhooks_in
    from notifications.webhooks.endpoints import EndpointError, find_endpoint

    try:
        return find_endpoint(webhooks_in(server.ledger.store), endpoint_id).to_dict()
    except EndpointError:
        raise _not_found(endpoint_id) from None


@router.post("/webhooks", status_code=201, summary="Add a webhook endpoint for signals (the council); the signing "
             "secret is in this answer only", responses={201: {"description": "{id, url, team, kinds, format, "
                                                                 "created_at, state, disabled_reason, secret}"}},
             openapi_extra=json_body_of(WebhookRequest))
async def post_webhook(request: Request, principal: Writer) -> JSONResponse:
    try:
        body = WebhookRequest.model_validate_json(await request.body())
    except ValidationError as error:
        raise ApiError(422, c.describe_errors(error)) from None
    server = _council(request, principal)

    def added() -> JSONResponse:
        from notifications.webhooks.addresses import RefusedUrl
        from notifications.webhooks.endpoints import EndpointError, add_endpoint

        try:
            endpoint, secret = add_endpoint(server.ledger.store, body.url, body.team, body.kinds, body.format)
        except (RefusedUrl, EndpointError) as error:
            raise ApiError(422, str(error)) from None
        return JSONResponse({**endpoint.to_dict(), "secret": secret}, status_code=201)

    return await run_in_threadpool(added)


@router.get("/webhooks", summary="The webhook endpoints, never their secrets (the council; anyone else: none)",
            responses={200: {"description": "{items: [{id, url, team, kinds, format, created_at, state, "
                                             "disabled_reason}]}"}})
async def get_webhooks(request: Request, principal: Reader) -> JSONResponse:
    if not await run_in_threadpool(_sees_all, request, principal):
        return JSONResponse({"items": []})
    server = server_of(request)

    def listed() -> dict[str, Any]:
        from domain.stores.webhook_tables import webhooks_in
        from notifications.webhooks.endpoints import endpoints

        return {"items": [e.to_dict() for e in endpoints(webhooks_in(server.ledger.store))]}

    return JSONResponse(await run_in_threadpool(listed))


@router.get("/webhooks/{endpoint_id}", summary="One webhook endpoint, never its secret (the council)")
async def get_webhook(request: Request, endpoint_id: EndpointId, principal: Reader) -> JSONResponse:
    if not await run_in_threadpool(_sees_all, request, principal):
        raise _not_found(endpoint_id)
    server = server_of(request)
    return JSONResponse(await run_in_threadpool(lambda: _endpoint(server, endpoint_id)))


@router.delete("/webhooks/{endpoint_id}", status_code=204, summary="Remove a webhook endpoint and destroy its "
               "secret (the council)")
async def delete_webhook(request: Request, endpoint_id: EndpointId, principal: Writer) -> Response:
    if not await run_in_threadpool(_sees_all, request, principal):
        raise _not_found(endpoint_id)
    server = server_of(request)

    def removed() -> None:
        from notifications.webhooks.endpoints import EndpointError, remove_endpoint

        try:
            remove_endpoint(server.ledger.store, endpoint_id)
        except EndpointError:
            raise _not_found(endpoint_id) from None

    await run_in_threadpool(removed)
    return Response(status_code=204)
