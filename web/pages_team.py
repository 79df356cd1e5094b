"""The team page (members, promises with compliance charts, live open complaints, economics,
experiments) and the fragment its live list is refetched from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web import pages_team_forms
from web.forms import checked_form, refusal_text, typed_number
from web.page_context import Page, PageError, page
from web.team_page import render_team
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


@router.get("/teams/{team}", response_class=HTMLResponse)
def team_page(team: str, p: Page = Depends(page)) -> Response:
    return render_team(p, team)


@router.post("/teams/{team}/propose")
async def propose(team: str, request: Request, p: Page = Depends(page)) -> Response:
    """Propose a promise made by this team (ProposePromise through the command path, channel web)."""
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    command: dict[str, Any] = {"type": "ProposePromise", "promisor": team, "period": form.get("period") or "week"}
    for name in ("promise", "promisee", "statement", "metric"):
        command[name] = form.get(name, "").strip()
    if form.get("reason", "").strip():
        command["reason"] = form["reason"].strip()
    try:
        command["target"] = float(form.get("target", ""))
        if (form.get("objective") or "").strip():
            command["objective"] = typed_number(form["objective"], "Objective")
    except ValueError as error:
        message = str(error) if "Objective" in str(error) else "Target must be a number."
        return await run_in_threadpool(render_team, p, team, propose_error=message, form=form, status=422)
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except Refused as refused:
        return await run_in_threadpool(render_team, p, team, propose_error=refusal_text(refused), form=form,
                                       status=refused.status)
    return RedirectResponse(p.link(f"/promises/{command['promise']}"), status_code=303)


router.include_router(pages_team_forms.router)  # after this module's own routes (``propose`` is not a daily form)
