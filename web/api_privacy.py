"""``POST /api/forget``: the council forgets a client or a person (BRIEF §7), as ``clientocracy forget`` does."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain import commands as c
from domain.facts import UnitOfWorkFacts
from domain.service.forget import UnknownSubject
from domain.service.unit_of_work import UnitOfWork
from domain.tokens import Principal
from web.auth import ApiError, require_scope

router = APIRouter(prefix="/api")
Writer = Annotated[Principal, Depends(require_scope("write"))]
RULE = "council"


class ForgetRequest(BaseModel):
    """Whom to forget, and why (the reason is kept for good: no personal data in it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["client", "person"]
    key: c.Key
    reason: Annotated[str, Field(min_length=1, max_length=4000)]


@router.post("/forget", summary="Forget a client or a person: destroy its key, record SubjectForgotten (council)")
async def post_forget(request: Request, principal: Writer) -> JSONResponse:
    try:
        body = ForgetRequest.model_validate_json(await request.body())
    except ValidationError as error:
        raise ApiError(422, c.describe_errors(error)) from None
    server = request.app.state.server

    def forget() -> JSONResponse:
        server.views.fresh()
        if not UnitOfWorkFacts(UnitOfWork(server.ledger.repository), server.index).council(principal.person):
            raise ApiError(403, f"only the council may forget a data subject ({principal.person} is not on it)",
                           RULE)
        try:
            result = server.ledger.forget(body.kind, body.key, body.reason, actor=principal.person)
        except UnknownSubject as error:
            raise ApiError(404, str(error)) from None
        server.views.note_written(result.position)
        server.views.fresh(max_age=0)  # the views see the forget and rebuild without the subject's plaintext
        return JSONResponse(result.to_dict())

    return await run_in_threadpool(forget)
