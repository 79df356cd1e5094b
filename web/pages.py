"""The browser workspace: sign-in, sign-out and the start page; ``install`` adds every page to the app.

Pages are server-rendered HTML (``web/templates``) over the same views, policy and command path
as the JSON API. A form posts back to the server with its ``csrf_token``; a post without the
session's token is refused with 403 before anything else is looked at.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from web.forms import checked_form
from web.limits import Offset
from web.page_context import LoginRequired, Page, PageError, page, sessions_of, signed_in, workspace_of
from web.sessions import COOKIE, LOGIN_CSRF_COOKIE, Sessions, csrf_ok
from web.templating import PAGE_HEADERS, render
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Add every page (this module's and the page modules'), their static files and error pages to the app."""
    from domain.stores.sessions import sessions_in
    from web import pages_complaints, pages_promise, pages_records, pages_team
    from web.server_workspace import ServerWorkspace, session_principal

    app.state.web_sessions = Sessions(sessions_in(app.state.server.ledger.store))
    app.state.workspace = ServerWorkspace(app.state.server)
    app.state.principal_resolvers.append(session_principal)  # /api/events (GET) for a signed-in browser
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (router, pages_team.router, pages_complaints.router, pages_promise.router, pages_records.router):
        app.include_router(module)
    app.add_exception_handler(LoginRequired, _login_redirect)  # type: ignore[arg-type]
    app.add_exception_handler(PageError, _error_page)  # type: ignore[arg-type]


async def _login_redirect(request: Request, error: LoginRequired) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": error.next_url}), status_code=303)


async def _error_page(request: Request, error: PageError) -> Response:
    return error_page(request, error.status, error.message)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    found = signed_in(request)
    return HTMLResponse(render("error.html", title=f"Error {status}", message=message, show_as_of=False,
                               me=found[1] if found else None, csrf_token=found[0].csrf if found else "",
                               crumbs=(), notices=()), status_code=status, headers=PAGE_HEADERS)


SAFE_NEXT = re.compile(r"/(?:[^/\\\s\x00-\x1f\x7f][^\\\s\x00-\x1f\x7f]*)?")


def _safe_next(url: str | None) -> str:
    """Only a path of this site: never '//host', a backslash, or whitespace a browser would drop."""
    return url if url and SAFE_NEXT.fullmatch(url) else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next), None, 200)


def _login_page(request: Request, next_url: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(32)
    response = HTMLResponse(render("login.html", title="Sign in", show_as_of=False, me=None, csrf_token=token,
                                   next_url=next_url, error=error, crumbs=(), notices=()), status_code=status,
                            headers=PAGE_HEADERS)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=request.url.scheme == "https")
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    next_url = _safe_next(str(form.get("next") or "/"))
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf_token")):  # type: ignore[arg-type]
        return _login_page(request, next_url, "The sign-in form expired; please try again.", 403)
    token = str(form.get("token") or "").strip()
    try:
        viewer = workspace_of(request).authenticate(token)
    except Refused as refused:
        return _login_page(request, next_url, f"That token cannot sign in: {refused.message}", 401)
    if viewer.scope == "ingest":
        return _login_page(request, next_url, "An ingest token may only post feedback; "
                                              "sign in with a read or write token.", 403)
    session = sessions_of(request).open(viewer.handle.token_id, viewer.person)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    found = signed_in(request)
    if found is not None:
        await checked_form(request, found[0].csrf)
        sessions_of(request).close(found[0].id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


AWAITING_PAGE = 50
"""The start page weighs this many open proposals of the viewer's sides at a time (docs/brief.md §10 "Cost
bounds": one member proposing thousands of promises must not slow everyone's start page)."""


@router.get("/", response_class=HTMLResponse)
def home(p: Page = Depends(page), offset: Offset = 0) -> Response:
    me = p.viewer.person
    viewer = p.workspace.reader(p.viewer)
    sides = sorted(viewer.teams | viewer.clients)  # the teams I am in and the clients I represent

    def query(con: Any) -> dict[str, Any]:
        teams = con.execute(
            "SELECT t.team, t.name, m.role FROM teams t LEFT JOIN team_members_as_of($as_of) m"
            " ON m.team = t.team AND m.person = $me WHERE t.business_at <= $as_of ORDER BY t.name",
            {"as_of": p.as_of, "me": me},
        ).fetchall()
        open_promises = con.execute(  # under negotiation, or an amendment awaiting consent, of one of my sides
            "SELECT promise, status, promisor, promisee, statement FROM promise_state_as_of($as_of)"
            " WHERE (status = 'proposed' OR (status = 'agreed' AND event IN ('AmendmentProposed', 'Consented')))"
            " AND (list_contains($sides, promisor) OR list_contains($sides, promisee))"
            " ORDER BY promise LIMIT $limit OFFSET $offset",
            {"as_of": p.as_of, "sides": sides, "limit": AWAITING_PAGE + 1, "offset": offset},
        ).fetchall()
        return {"teams": teams, "promises": open_promises}

    found = p.workspace.read(query)
    mine = [{"team": t, "name": n, "role": r} for t, n, r in found["teams"] if r is not None]
    others = [{"team": t, "name": n} for t, n, r in found["teams"] if r is None]
    awaiting = []
    for key, status, promisor, promisee, statement in [] if p.past else found["promises"][:AWAITING_PAGE]:
        command = "AgreePromise" if status == "proposed" else "AcceptAmendment"
        if p.workspace.refusal(p.viewer, {"type": command, "promise": key}, p.as_of) is None:
            why = "your agreement is asked" if status == "proposed" else "an amendment awaits your acceptance"
            awaiting.append({"promise": key, "status": status, "promisor": promisor, "promisee": promisee,
                             "statement": statement, "why": why})
    more = not p.past and len(found["promises"]) > AWAITING_PAGE
    return p.html("home.html", p.context(f"Start page of {p.viewer.name or me}", teams=mine, other_teams=others,
                                         awaiting=awaiting, offset=offset,
                                         next_offset=offset + AWAITING_PAGE if more else None))
