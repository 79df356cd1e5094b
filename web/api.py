"""The JSON API of docs/brief.md §5: commands, feedback, the show answers, the audit trail, live positions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from domain import commands as c
from domain.json_input import decode_json
from domain.read_policy import Viewer
from domain.service import acting, business_time_policy
from domain.service.tokens import Principal
from projections import read_rules
from projections.complaint_clock import clock_key
from projections.retro import retrospective
from projections.shows import show_view
from projections.suggestions import unknown_teams
from projections.timeline import moment_of
from web.api_audit import AUDIT_QUERY, audit_router
from web.api_common import AsOf, Reader, json_answer, moment, server_of
from web.auth import ApiError, require_scope
from web.limits import MAX_BATCH, Limit, Offset
from web.readers import NotReadable, forbidden, not_found, peek_answer, reader, redacted_answer
from web.server import MISS, Server, to_json
from web.service import run_commands

router = APIRouter(prefix="/api")
Writer = Annotated[Principal, Depends(require_scope("write", "ingest"))]
Ingester = Writer
async def json_body(request: Request) -> Any:
    """The request body as JSON; an object that repeats a key is refused, as on every other channel."""
    raw = await request.body()
    try:
        return decode_json(raw, json.loads)  # the shared framing: repeated keys, NUL, 1 MiB
    except ValidationError as error:
        raise ApiError(422, f"body: {c.describe_errors(error)}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(422, f"body: not JSON ({error})") from None


COMMAND_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    {"$ref": "#/components/schemas/Command"},
    {"type": "array", "items": {"description": "A Command (#/components/schemas/Command). An array is answered 200 "
                                               "whatever its items hold, each item's own status in `results` "
                                               "(`rejected` with the reason for one that is not a valid command); "
                                               "more than 1,000 items: 413."}},
]}}}}}
FEEDBACK_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/FeedbackMessage"}}}}}
ID_CONFLICT = {409: {"description": "id_conflict: the `id` (its sender's own) or the `feedback_id` was used before "
                     "for different content; the error names the key (docs/brief.md §10). An array answers 200 "
                     "with that item's status `conflict` instead.",
                     "content": {"application/json": {"schema": {
                         "type": "object", "required": ["error"],
                         "properties": {"error": {"type": "string"}, "rule": {"type": "string"}}}}}}}


@router.get("/health", summary="Liveness (no token needed)")
async def health(request: Request) -> Response:
    return json_answer(b'{"status":"ok","views_position":%d}' % server_of(request).views.position)


@router.post("/commands", summary="Record one command, or an array of commands", openapi_extra=COMMAND_BODY,
             responses=ID_CONFLICT)  # type: ignore[arg-type]
async def post_commands(request: Request, principal: Writer) -> Response:
    payload = await json_body(request)
    server = server_of(request)
    if isinstance(payload, list):
        if len(payload) > MAX_BATCH:
            raise ApiError(413, f"body: an array of {len(payload)} commands, over the limit of {MAX_BATCH}")
        results = await run_in_threadpool(run_commands, server, principal, payload, "api")
        return JSONResponse({"results": [r.to_dict() for r in results]})
    result = (await run_in_threadpool(run_commands, server, principal, [payload], "api"))[0]
    if result.status == "forbidden":
        raise ApiError(403, result.reason or "forbidden", result.rule)
    if result.status == "rejected":
        raise ApiError(422, result.reason or "rejected")
    if result.status == "conflict":
        raise ApiError(409, result.reason or "id_conflict")
    return JSONResponse({"status": result.status, "events": result.events})


@router.post("/feedback", status_code=202, summary="One feedback message (Kafka's shape)", openapi_extra=FEEDBACK_BODY,
             responses=ID_CONFLICT)  # type: ignore[arg-type]
async def post_feedback(request: Request, principal: Ingester) -> Response:
    raw = await request.body()
    try:
        message = decode_json(raw, c.FeedbackMessage.model_validate_json)  # as Kafka: no repeated keys, 1 MiB
    except ValidationError as error:
        raise ApiError(422, c.describe_errors(error)) from None
    refused = business_time_policy.refusal(message, datetime.now(UTC))  # docs/brief.md §10: at most 90 days back
    if refused is not None:
        raise ApiError(422, refused)
    server = server_of(request)

    def record() -> Any:
        outcome = acting.post_feedback(server.ledger, principal, message, "api", server.index)
        server.views.note_written(outcome.position)
        return outcome

    try:
        outcome = await run_in_threadpool(record)
    except acting.FeedbackRefused as denied:
        raise ApiError(denied.status, denied.reason, denied.rule) from None
    if outcome.conflicts:
        raise ApiError(409, outcome.conflicts[0][1])
    status = "recorded" if outcome.recorded else "already_known"
    return JSONResponse({"status": status, "feedback_id": message.feedback_id}, status_code=202)


async def _show(request: Request, principal: Principal, kind: str, key: str, as_of: str | None) -> Response:
    when = moment(as_of)
    view = show_view(kind)
    server = server_of(request)
    # a promise's health and its period in progress change with time alone: "now" answers are kept a minute;
    # open complaints' ages and states too: a second
    args = ((key, when, moment_of(when).strftime("%Y-%m-%dT%H:%M")) if kind == "promise"
            else (key, when, clock_key(when)))
    body = peek_answer(server, principal.person, kind, args)
    if body is MISS:
        body = await run_in_threadpool(
            readable, redacted_answer, server, principal.person, kind, args,
            lambda con, viewer: view(con, key, when, **options_for(server, kind, viewer)))
    if body is None:
        raise await run_in_threadpool(not_found, server, principal.person, kind, key, when, as_of)
    return json_answer(body)


def options_for(server: Server, kind: str, viewer: Viewer) -> dict[str, Any]:
    """The team show's options: keep the part of its answer judged at no moment (``remember``: as-of answers at
    moments with the same latest fact plan only the rest), and list an external client's complaints only
    (``clients``: counted and paged among themselves)."""
    if kind != "team":
        return {}
    return {"remember": server.remember, "clients": read_rules.complaint_clients(viewer)}


def readable(answer: Any, *args: Any) -> Any:
    """``answer(*args)``, a 403 naming the read rule when nothing of it may be read (docs/brief.md §10)."""
    try:
        return answer(*args)
    except NotReadable as error:
        raise forbidden(error) from None


@router.get("/promises/{key}", summary="Like `promise show --json`")
async def get_promise(request: Request, key: str, principal: Reader, as_of: AsOf = None) -> Response:
    return await _show(request, principal, "promise", key, as_of)


@router.get("/teams/{key}", summary="Like `team show --json`; open complaints paged by limit/offset")
async def get_team(request: Request, key: str, principal: Reader, as_of: AsOf = None,
             limit: Limit | None = None, offset: Offset = 0) -> Response:
    return await _paged_show(request, principal, "team", key, as_of, limit, offset)


@router.get("/clients/{key}", summary="Like `client show --json`; open complaints paged by limit/offset")
async def get_client(request: Request, key: str, principal: Reader, as_of: AsOf = None,
                     limit: Limit | None = None, offset: Offset = 0) -> Response:
    return await _paged_show(request, principal, "client", key, as_of, limit, offset)


async def _paged_show(request: Request, principal: Principal, kind: str, key: str, as_of: str | None,
                      limit: int | None, offset: int) -> Response:
    """A show answer whose open complaints are paged: without limit and offset, the show answer itself."""
    if limit is None and offset == 0:
        return await _show(request, principal, kind, key, as_of)
    when = moment(as_of)
    view = show_view(kind)
    server = server_of(request)

    def paged(con: Any, viewer: Viewer) -> Any:  # offset counts back from the newest open complaint
        return view(con, key, when, limit=limit, offset=offset, **options_for(server, kind, viewer))

    body = await run_in_threadpool(readable, redacted_answer, server, principal.person, f"{kind}-page",
                                   (key, when, clock_key(when), limit, offset), paged, kind)
    if body is None:
        raise await run_in_threadpool(not_found, server, principal.person, kind, key, when, as_of)
    return json_answer(body)


@router.get("/experiments/{key}", summary="Like `experiment show --json`")
async def get_experiment(request: Request, key: str, principal: Reader, as_of: AsOf = None) -> Response:
    return await _show(request, principal, "experiment", key, as_of)


@router.get("/retro", summary="Like `retro --json`")
def get_retro(request: Request, principal: Reader, team: Annotated[list[str], Query()],
              start: Annotated[str, Query(alias="from")], end: Annotated[str, Query(alias="to")]) -> Response:
    start_at, end_at = moment(start, "from"), moment(end, "to")

    server = server_of(request)
    viewer = reader(server, principal.person)

    def compute(con: Any) -> Any:
        unknown = unknown_teams(con, team, viewer)
        if unknown:
            return {"missing": unknown}
        return {"retrospectives": [read_rules.retro_answer(viewer, retrospective(con, t, start_at, end_at))
                                   for t in team], "html": None}

    try:
        read_rules.require_internal(viewer, "a retrospective")
    except NotReadable as error:
        raise forbidden(error) from None
    body = server.answer("retro", (tuple(team), start_at, end_at, viewer.audience()), compute)
    data = json.loads(body or b"{}")
    if "missing" in data:
        raise ApiError(404, data["missing"])
    return json_answer(body or b"{}")


router.include_router(audit_router)  # GET /api/audit and /api/events

__all__ = ["AUDIT_QUERY", "router", "to_json"]
