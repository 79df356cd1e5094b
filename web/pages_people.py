"""``/people`` (docs/brief.md §8 "The council"): people and their tokens, "Issue token" (shown once) and "Revoke";
and the "Revoke" of the start page's own tokens. Tokens are issued and revoked as the API does
(``web.token_actions``, the rules of ``domain.service.tokens``): a person their own; the council read or ingest
tokens for others, and revokes any."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from projections.lists import list_items
from web.forms import checked_form, refusal_text
from web.limits import Offset
from web.page_context import Page, PageError, page
from web.workspace import Refused

router = APIRouter(include_in_schema=False)
LISTED = 100  # people, and tokens, per page
PEOPLE_RULE = "the people page: council (everyone's own tokens are on their start page)"


def council_only(p: Page) -> None:
    if not p.viewer.council:
        raise PageError(403, f"Only the council sees everyone's tokens (rule: {PEOPLE_RULE}).")


def render_people(p: Page, offset: int = 0, *, issued: dict[str, Any] | None = None, error: str | None = None,
                  form: dict[str, str] | None = None, status: int = 200) -> Response:
    council_only(p)
    reader = p.workspace.reader(p.viewer)
    people = p.workspace.read(lambda con: list_items(con, "people", reader, p.as_of, LISTED, 0))
    tokens = p.workspace.tokens(p.viewer, None, LISTED, offset)
    context = p.context("People and tokens", path="/people", crumbs=(("Start", p.link("/")), ("people", None)),
                        people=people, tokens=tokens, offset=offset, issued=issued, error=error, form=form or {},
                        can_issue=not p.past and p.viewer.scope == "write", back="people")
    return p.html("people.html", context, status)


@router.get("/people", response_class=HTMLResponse)
def people_page(p: Page = Depends(page), offset: Offset = 0) -> Response:
    return render_people(p, offset)


@router.post("/people/tokens")
async def issue_token(request: Request, p: Page = Depends(page)) -> Response:
    """"Issue token": the new token is shown on the answer once, never again (the store keeps only a digest)."""
    form = await checked_form(request, p.session.csrf)
    council_only(p)  # before the write: the answer that shows the token once is this page, the council's
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    try:
        days = float(form["expires_days"]) if form.get("expires_days", "").strip() else None
        issued = await run_in_threadpool(p.workspace.issue_token, p.viewer, form.get("person", "").strip() or None,
                                         form.get("scope", "read"), days)
    except ValueError:
        return await run_in_threadpool(render_people, p, error="Expires in (days) must be a number", form=form,
                                       status=422)
    except Refused as refused:
        return await run_in_threadpool(render_people, p, error=refusal_text(refused), form=form,
                                       status=refused.status)
    return await run_in_threadpool(render_people, p, issued=issued, status=201)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(token_id: str, request: Request, p: Page = Depends(page)) -> Response:
    """"Revoke": one's own token (the start page), or the council any (``/people``); then back to that page."""
    form = await checked_form(request, p.session.csrf)
    try:
        await run_in_threadpool(p.workspace.revoke_token, p.viewer, token_id)
    except Refused as refused:
        raise PageError(refused.status, refusal_text(refused)) from None
    back = "/people" if form.get("back") == "people" else "/#tokens"
    return RedirectResponse(back, status_code=303)
