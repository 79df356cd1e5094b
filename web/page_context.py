"""What every page shares: who is signed in, the as-of date, the layout's context, login redirects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from domain.business_time import parse_as_of
from domain.read_policy import may_see_person
from projections.timeline import as_of_value, iso, moment_of
from web.names import Names, people_names
from web.sessions import COOKIE, Session, Sessions
from web.templating import PAGE_HEADERS, linker, render
from web.workspace import Refused, Viewer, Workspace


class LoginRequired(Exception):
    """Raised by a page when nobody (or an expired token) is signed in: the answer is a redirect to /login."""

    def __init__(self, next_url: str, expired: bool = False) -> None:
        self.next_url = next_url
        self.expired = expired  # the browser held a session that has ended (idle, token expired or revoked)


class PageError(Exception):
    """A page that cannot be shown (unknown key, bad as-of date): an error page with this status."""

    def __init__(self, status: int, message: str, suggestions: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.message = message
        self.suggestions = suggestions or []  # (key, address) of what an unknown key may have meant


@dataclass
class Page:
    """One request of a signed-in person, with the as-of moment it asks for."""

    request: Request
    workspace: Workspace
    session: Session
    viewer: Viewer
    as_of_param: str | None
    as_of: datetime  # naive UTC for the views; FOREVER when the page shows "now"
    notices: list[str] = field(default_factory=list)
    _names: Names | None = field(default=None, repr=False)

    @property
    def link(self) -> Callable[..., str]:
        return linker(self.as_of_param)

    @property
    def past(self) -> bool:
        return self.as_of_param is not None

    def context(self, title: str, *, heading: str | None = None, crumbs: tuple[tuple[str, str | None], ...] = (),
                keep: tuple[str, ...] = (), path: str | None = None, **extra: Any) -> dict[str, Any]:
        """The layout's context; ``path`` is the page's own address when a form post re-renders it."""
        path = path or self.request.url.path
        params = [(k, v) for k in keep for v in self.request.query_params.getlist(k)]
        return {
            "title": title,
            "heading": heading,
            "crumbs": crumbs,
            "me": self.viewer,
            "csrf_token": self.session.csrf,
            "path": path,
            "show_as_of": True,
            "as_of": self.as_of_param,
            "as_of_date": self.as_of_param[:10] if self.as_of_param else "",
            "as_of_text": (iso(self.as_of) or "").replace("T", " ").replace("+00:00", " UTC"),
            "keep_params": params,
            "now_href": path + ("?" + urlencode(params) if params else ""),
            "link": self.link,
            "notices": self.notices,
            "names": self.names,
            "currency": self.request.app.state.server.settings.currency,
            **extra,
        }

    @property
    def names(self) -> Names:
        """People's names for the ``person_name`` filter, read once per request on first use."""
        if self._names is None:
            reader = self.workspace.reader(self.viewer)
            self._names = Names(lambda: self.workspace.read(people_names, ("people names",)),
                                lambda person: may_see_person(reader, person))
        return self._names

    def html(self, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        return HTMLResponse(render(template, **context), status_code=status, headers=PAGE_HEADERS)


def readable(answer: Callable[..., Any], *args: Any) -> Any:
    """``answer(*args)``; an error page (403, naming the read rule) when nothing of it may be read."""
    from projections.read_rules import NotReadable

    try:
        return answer(*args)
    except NotReadable as error:
        raise PageError(403, f"You may not read this ({error}).") from None


PAGE_OF = {"team": "/teams/", "promise": "/promises/", "experiment": "/experiments/", "client": "/clients/"}


def not_found(p: Page, kind: str, key: str) -> PageError:
    """The page of an unknown key: "There is no …", with links to the nearest keys of its kind that the
    person may see (docs/brief.md §8 "did you mean"; §10: never one they may not)."""
    from projections.suggestions import did_you_mean

    who = p.workspace.reader(p.viewer)
    near = p.workspace.read(lambda con: did_you_mean(con, kind, key, who, p.as_of))
    return PageError(404, f"There is no {kind} {key!r}" + (f" as of {p.as_of_param}." if p.past else "."),
                     [(found, p.link(PAGE_OF[kind] + found)) for found in near])


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def sessions_of(request: Request) -> Sessions:
    return request.app.state.web_sessions  # type: ignore[no-any-return]


def signed_in(request: Request) -> tuple[Session, Viewer] | None:
    """The session of this browser and its person, re-checking the token (revocation takes effect at once)."""
    sessions = sessions_of(request)
    session = sessions.get(request.cookies.get(COOKIE))
    if session is None:
        return None
    try:
        viewer = workspace_of(request).authenticate_session(session.token_id)
    except Refused:
        sessions.close(session.id)
        return None
    return session, viewer


def page(request: Request) -> Page:
    """FastAPI dependency of every page: the signed-in person and the as-of moment, or a redirect to /login."""
    found = signed_in(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target, expired=COOKIE in request.cookies)
    session, viewer = found
    as_of_param = request.query_params.get("as_of") or None
    try:
        moment = as_of_value(parse_as_of(as_of_param))
    except ValueError:
        raise PageError(400, f"As of {as_of_param!r} is not a date (use YYYY-MM-DD or ISO-8601).") from None
    return Page(request, workspace_of(request), session, viewer, as_of_param, moment)


def minute_shown(p: Page) -> str:
    """The minute a page describes, for its cache key: what only time changes (a period ending, half of it
    gone: docs/brief.md §9) shows within a minute though no event arrived."""
    return moment_of(p.as_of).strftime("%Y-%m-%dT%H:%M")
