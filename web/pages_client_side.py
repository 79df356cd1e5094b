""""Log complaint" on a client representative's start page (docs/brief.md §8 "The client's side"): a complaint
for one of the clients they represent, recorded as them through the one command path (channel ``web``); and the
page's live part, their clients' open complaints, refetched on each new event."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from projections.client_side import open_complaints_of
from web.forms import checked_form, refusal_text
from web.home_page import render_home
from web.page_context import Page, PageError, page
from web.team_daily import may_log_for
from web.team_page import render_team
from web.templating import PAGE_HEADERS, render
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


def complaint_command(form: dict[str, str]) -> dict[str, Any]:
    """The RecordFeedback command of the form: a complaint through channel ``web``, occurring now, under a new
    id; optional fields left out when empty (a rating that is not a number is left to the command's check)."""
    command: dict[str, Any] = {
        "type": "RecordFeedback", "feedback_id": f"web-{secrets.token_hex(8)}", "client": form.get("client", ""),
        "kind": "complaint", "channel": "web", "text": form.get("text", "").strip(),
        "occurred_at": datetime.now(UTC).isoformat()}
    for name in ("team", "promise"):
        if form.get(name, "").strip():
            command[name] = form[name].strip()
    rating = form.get("rating", "").strip()
    if rating:
        try:
            command["rating"] = float(rating)
        except ValueError:
            command["rating"] = rating
    return command


@router.get("/client-complaints", response_class=HTMLResponse)
def client_complaints(p: Page = Depends(page)) -> Response:
    """The "Your clients' open complaints (N)" heading and list alone, for the live refresh."""
    represented = sorted(p.workspace.reader(p.viewer).clients)
    count, complaints = p.workspace.read(lambda con: open_complaints_of(con, represented, p.as_of))
    context = {"link": p.link, "client_side": {"complaints": complaints, "complaint_count": count}}
    return HTMLResponse(render("_representative_complaints.html", **context), headers=PAGE_HEADERS)


@router.post("/complaints")
async def log_complaint(request: Request, p: Page = Depends(page)) -> Response:
    """A representative's complaint from their start page, or anyone's from a team page (``on_team``: then about
    that team, for a client they may see, and a refusal shows beside the team page's form)."""
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    on_team = form.get("on_team", "").strip()
    try:  # who may complain for which client, about which promise: the permission table's and the domain's
        if on_team:
            form["team"] = on_team
            if not await run_in_threadpool(may_log_for, p, form.get("client", "")):  # a client they may see
                raise Refused(403, f"There is no client {form.get('client', '')!r} you may log a complaint for.")
        if not form.get("text", "").strip():
            raise Refused(422, "text: say what went wrong (the complaint's text is empty).")
        await run_in_threadpool(p.workspace.submit, p.viewer, complaint_command(form))
    except Refused as refused:
        error, status = refusal_text(refused), refused.status
        if on_team:
            return await run_in_threadpool(lambda: render_team(p, on_team, failed="complaints", error=error,
                                                               form=form, status=status))
        return await run_in_threadpool(lambda: render_home(p, log_error=error, form=form, status=status))
    return RedirectResponse(p.link(f"/teams/{on_team}" if on_team else "/") + (
        "#complaints" if on_team else "#client-complaints"), status_code=303)
