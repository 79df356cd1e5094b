"""``POST /api/forget``: the council forgets a client or a person (docs/brief.md §7), as ``clientocracy forget``
does."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain import commands as c
from domain.personal_data import ErasureNotRecorded
from domain.service.forget import NotCouncil, UnknownSubject, forget_as
from domain.service.tokens import Principal
from domain.stores.lock_wait import LockWaitTimeout, lock_timeout
from web.api_common import json_body_of
from web.auth import ApiError, require_scope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api")
Writer = Annotated[Principal, Depends(require_scope("write"))]


class ForgetRequest(BaseModel):
    """Whom to forget, and why (the reason is kept for good: no personal data in it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["client", "person"]
    key: c.Key
    reason: Annotated[str, Field(min_length=1, max_length=4000)]


def retry_after(error: ErasureNotRecorded) -> int:
    """Seconds to try again after: as long as the store waited for the lock that kept the event out, if one did."""
    cause = error.__cause__
    return max(1, cause.waited if isinstance(cause, LockWaitTimeout) else lock_timeout())


@router.post("/forget", summary="Forget a client or a person: destroy its key, record SubjectForgotten (council)",
             openapi_extra=json_body_of(ForgetRequest))
async def post_forget(request: Request, principal: Writer) -> JSONResponse:
    try:
        body = ForgetRequest.model_validate_json(await request.body())
    except ValidationError as error:
        raise ApiError(422, c.describe_errors(error)) from None
    server = request.app.state.server

    def forget() -> JSONResponse:
        server.views.fresh()  # the council's membership as of now
        try:  # the views are rebuilt without the subject's plaintext before the answer
            result = forget_as(server.ledger, principal.person, body.kind, body.key, body.reason,
                               index=server.index, views=server.views)
        except NotCouncil as error:
            raise ApiError(403, str(error), error.rule) from None
        except UnknownSubject as error:
            raise ApiError(404, str(error)) from None
        except ErasureNotRecorded as error:  # the cause (which table, what to do) is the operator's: the log
            log.warning("forget of %s: %s", error.subject, error)
            raise ApiError(503, f"the key of {error.subject} is destroyed (its data is forgotten), but the forget"
                           " could not be recorded yet; post the same forget again to record it",
                           headers={"Retry-After": str(retry_after(error))}) from None
        return JSONResponse(result.to_dict())

    return await run_in_threadpool(forget)
