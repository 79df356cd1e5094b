"""The browser workspace: sign-in, sign-out and the start page; ``install`` adds every page to the app.

Pages are server-rendered HTML (``web/templates``) over the same views, policy and command path
as the JSON API. A form posts back to the server with its ``csrf_token``; a post without the
session's token is refused with 403 before anything else is looked at.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.stores.lock_wait import LockWaitTimeout
from web.errors import busy, busy_refusal, http_error
from web.forms import checked_form
from web.home_page import render_home
from web.limits import Offset
from web.page_context import LoginRequired, Page, PageError, page, sessions_of, signed_in, workspace_of
from web.sessions import COOKIE, LOGIN_CSRF_COOKIE, Sessions, csrf_ok
from web.templating import PAGE_HEADERS, render
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Add every page (this module's and the page modules'), their static files and error pages to the app."""
    from domain.stores.sessions import sessions_in
    from web import (
        attention,
        pages_client,
        pages_client_side,
        pages_company,
        pages_complaints,
        pages_experiment,
        pages_people,
        pages_promise,
        pages_records,
        pages_team,
    )
    from web.server_workspace import ServerWorkspace, session_principal

    app.state.web_sessions = Sessions(sessions_in(app.state.server.ledger.store))
    app.state.workspace = ServerWorkspace(app.state.server)
    app.state.principal_resolvers.append(session_principal)  # /api/events (GET) for a signed-in browser
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (router, pages_client_side.router, pages_team.router, pages_complaints.router, pages_promise.router,
                   pages_records.router, pages_experiment.router, pages_client.router, pages_company.router,
                   pages_people.router, attention.router):
        app.include_router(module)
    app.add_exception_handler(LoginRequired, _login_redirect)  # type: ignore[arg-type]
    app.add_exception_handler(PageError, _error_page)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _browser_or_json)  # type: ignore[arg-type]
    app.add_exception_handler(LockWaitTimeout, _busy_page)  # type: ignore[arg-type]


EXPIRED = "Your session has expired; sign in again."


async def _login_redirect(request: Request, error: LoginRequired) -> Response:
    """A page asked for by the browser's own navigation goes to the sign-in page (saying, once, that the session
    expired). A part of a page the page refetches itself (``live.js``: not a navigation, by ``Sec-Fetch-Mode``) is
    answered 401 and the cookie left alone: followed to the sign-in page, the refetch would put that page inside
    the live part, and deleting the cookie there would leave the person's next click a sign-in that never says
    their session expired."""
    if request.headers.get("sec-fetch-mode", "navigate") != "navigate":
        return Response("Sign in again: the session has ended.", status_code=401, media_type="text/plain")
    query = {"next": error.next_url, **({"expired": "1"} if error.expired else {})}
    response = RedirectResponse("/login?" + urlencode(query), status_code=303)
    if error.expired:
        response.delete_cookie(COOKIE, path="/")  # said once: the next visit without it is a plain sign-in
    return response


async def _error_page(request: Request, error: PageError) -> Response:
    return error_page(request, error.status, error.message, error.suggestions)


async def _browser_or_json(request: Request, error: StarletteHTTPException) -> Response:
    """A person's browser gets a page (an unknown address read as raw JSON); the API and scripts keep JSON."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return await http_error(request, error)
    message = f"There is no page at {path}." if error.status_code == 404 else str(error.detail)
    return error_page(request, error.status_code, message)


async def _busy_page(request: Request, error: LockWaitTimeout) -> Response:
    """A page (or a form posted from one) the store was too busy for: the error page, 503, to try again."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return await busy(request, error)
    message, headers = busy_refusal(request, error)
    response = error_page(request, 503, message[0].upper() + message[1:] + ".", asking_the_store=False)
    response.headers.update(headers)
    return response


def error_page(request: Request, status: int, message: str, suggestions: list[tuple[str, str]] | None = None,
               *, asking_the_store: bool = True) -> HTMLResponse:
    """``asking_the_store`` False: the page names nobody, as finding the signed-in person reads the store."""
    found = signed_in(request) if asking_the_store else None
    return HTMLResponse(render("error.html", title=f"Error {status}", message=message, show_as_of=False,
                               suggestions=suggestions or [],
                               me=found[1] if found else None, csrf_token=found[0].csrf if found else "",
                               crumbs=(), notices=()), status_code=status, headers=PAGE_HEADERS)


SAFE_NEXT = re.compile(r"/(?:[^/\\\s\x00-\x1f\x7f][^\\\s\x00-\x1f\x7f]*)?")


def _safe_next(url: str | None) -> str:
    """Only a path of this site: never '//host', a backslash, or whitespace a browser would drop."""
    return url if url and SAFE_NEXT.fullmatch(url) else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, expired: str | None = None) -> Response:
    return _login_page(request, _safe_next(next), None, 200, notices=[EXPIRED] if expired else [])


def _login_page(request: Request, next_url: str, error: str | None, status: int,
                notices: list[str] | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    response = HTMLResponse(render("login.html", title="Sign in", show_as_of=False, me=None, csrf_token=token,
                                   next_url=next_url, error=error, crumbs=(), notices=notices or ()),
                            status_code=status,
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


@router.get("/", response_class=HTMLResponse)
def home(p: Page = Depends(page), offset: Offset = 0, promises_offset: Offset = 0) -> Response:
    """``offset``: the page of what awaits the person's answer; ``promises_offset``: of the promises made to the
    clients they represent."""
    return render_home(p, offset, promises_offset)
