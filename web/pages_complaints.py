"""A team's open complaints: the live fragment the team page refetches, and responding to or resolving one by a
form."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from projections import queries, read_rules
from projections.complaint_clock import clock_key
from web.forms import checked_form, refusal_text
from web.page_context import Page, PageError, not_found, page
from web.team_page import complaints_context, render_team
from web.templating import PAGE_HEADERS, render
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


@router.get("/teams/{team}/complaints", response_class=HTMLResponse)
def team_complaints(team: str, p: Page = Depends(page)) -> Response:
    """The "Open complaints (N)" heading and list alone, for the live refresh."""
    who = p.workspace.reader(p.viewer)
    clients = read_rules.complaint_clients(who)
    view = p.workspace.read(lambda con: queries.team_view(con, team, p.as_of, remember=p.workspace.remember,
                                                          clients=clients),
                            ("team view", team, p.as_of, clock_key(p.as_of), clients))
    if view is None:
        raise not_found(p, "team", team)
    view = read_rules.redact_team(who, view)
    context = {"link": p.link, **complaints_context(p, team, view)}
    return HTMLResponse(render("_complaints.html", **context), headers=PAGE_HEADERS)


@router.post("/teams/{team}/complaints/resolve")
async def resolve(team: str, request: Request, p: Page = Depends(page)) -> Response:
    """ResolveFeedback through the command path as the signed-in person (channel web)."""
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    command = {"type": "ResolveFeedback", "feedback_id": form.get("feedback_id", ""),
               "resolution": form.get("resolution", "").strip()}
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except Refused as refused:
        return await run_in_threadpool(render_team, p, team, resolve_error=refusal_text(refused),
                                       status=refused.status)
    return RedirectResponse(p.link(f"/teams/{team}") + "#complaints", status_code=303)


@router.post("/teams/{team}/complaints/respond")
async def respond(team: str, request: Request, p: Page = Depends(page)) -> Response:
    """RespondToFeedback (docs/brief.md §9) through the command path as the signed-in person (channel web); a
    refusal is shown beside that complaint's form."""
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    feedback_id = form.get("feedback_id", "")
    command = {"type": "RespondToFeedback", "feedback_id": feedback_id, "response": form.get("response", "").strip()}
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except Refused as refused:
        return await run_in_threadpool(render_team, p, team, respond=(feedback_id, refusal_text(refused)),
                                       status=refused.status)
    return RedirectResponse(p.link(f"/teams/{team}") + "#complaints", status_code=303)
