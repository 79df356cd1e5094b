"""The audit trail and live positions: who did what, when, why, through which channel; what is new."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from projections.paging import page
from projections.read_rules import VISIBLE_EVENT, audit_params, events_of
from web.api_common import Reader, json_answer, moment, server_of
from web.limits import DEFAULT_LIMIT, Limit, Offset
from web.position_stream import news, positions
from web.readers import reader, stream_positions
from web.streams import admit_request

audit_router = APIRouter()


AUDIT_QUERY = """
SELECT position, business_at, recorded_at, actor, channel, event, aggregate_type, key, reason FROM event_log e
WHERE ($actor IS NULL OR actor = $actor)
  AND ($start IS NULL OR business_at >= $start) AND ($end IS NULL OR business_at <= $end)
  AND ($promise IS NULL OR (aggregate_type = 'Promise' AND key = $promise))
  AND ($team IS NULL OR TEAM_EVENT)
  AND VISIBLE_EVENT
ORDER BY position LIMIT $limit OFFSET $offset
""".replace("TEAM_EVENT", events_of("t")).replace("VISIBLE_EVENT", VISIBLE_EVENT)
"""Takes ``projections.read_rules.audit_params`` too: only the events the reader may see (docs/brief.md §10);
``$t_teams`` is ``[team]`` (the ``team=`` filter: the events of the team, as the read rule counts them)."""


def audit_filters(actor: str | None, promise: str | None, team: str | None, start: Any, end: Any) -> dict[str, Any]:
    """``AUDIT_QUERY``'s filter parameters (the API's trail and the audit page's)."""
    return {"actor": actor, "promise": promise, "team": team, "t_teams": [team] if team else [], "t_clients": [],
            "start": start, "end": end}


def audit_event(row: tuple[Any, ...]) -> dict[str, Any]:
    """One row of ``AUDIT_QUERY`` as the trail shows it."""
    from projections.timeline import iso

    pos, at, rec, who, channel, ev, aggregate, key, why = row
    return {"position": pos, "at": iso(at), "recorded_at": iso(rec), "actor": who, "channel": channel, "event": ev,
            "aggregate": aggregate, "key": key, "reason": why}


@audit_router.get("/audit", summary="Who did what, when, why, through which channel")
def get_audit(request: Request, principal: Reader, actor: str | None = None, promise: str | None = None,
              team: str | None = None, start: Annotated[str | None, Query(alias="from")] = None,
              end: Annotated[str | None, Query(alias="to")] = None,
              limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Response:
    start_at = moment(start, "from") if start else None
    end_at = moment(end, "to") if end else None
    viewer = reader(server_of(request), principal.person)

    def compute(con: Any) -> Any:  # a page of the trail: events (docs/brief.md §5) are its items (§10)
        asked = {**audit_filters(actor, promise, team, start_at, end_at), **audit_params(viewer)}
        rows = con.execute(AUDIT_QUERY, {**asked, "limit": limit, "offset": offset}).fetchall()
        total = con.execute(f"SELECT count(*) FROM ({AUDIT_QUERY})", {**asked, "limit": None, "offset": 0}).fetchone()
        events = [audit_event(row) for row in rows]
        return {"events": events, **page(events, total[0], limit, offset)}

    question = (actor, promise, team, start_at, end_at, limit, offset, viewer.audience())
    body = server_of(request).answer("audit", question, compute)
    return json_answer(body or b"{}")


@audit_router.get("/events", summary="Server-sent events: data: {\"position\": N} for each new stored position",
                  responses={429: {"description": "Too many live streams open for this token or this server"},
                             503: {"description": "The store is busy (a lock another session holds): try again "
                                                  "after Retry-After seconds"}})
async def get_events(request: Request, principal: Reader) -> StreamingResponse:
    server = server_of(request)
    last_id = request.headers.get("last-event-id", "")
    current = server.views.position
    start = int(last_id) if last_id.isdigit() else current

    def seen(after: int, upto: int) -> list[int]:  # only the events this person may read (docs/brief.md §10)
        return stream_positions(server, principal.person, after, upto)

    first = await run_in_threadpool(news, seen, start, current) if start < current else []  # a busy store: 503
    live = admit_request(request, principal)  # 429 past a limit; ends with its sign-in (web.streams)
    return StreamingResponse(positions(request, server, live, seen, max(start, current), first),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
