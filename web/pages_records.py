"""The experiment, retrospective and audit pages: records for teams and the council (and the experiment page's
"Adopt solution" form)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.business_time import parse_as_of
from projections import read_rules
from projections.rendering import report_html
from projections.retro import retrospective
from projections.suggestions import unknown_teams
from projections.timeline import as_of_value
from web.experiment_page import adoption_command, render_experiment
from web.forms import checked_form, refusal_text
from web.limits import Offset
from web.page_context import Page, PageError, page, readable
from web.templating import chart
from web.workspace import Refused

router = APIRouter(include_in_schema=False)
AUDIT_ROWS = 50  # a page of the trail; "Older events" / "Newer events" move along it


@router.get("/experiments/{key}", response_class=HTMLResponse)
def experiment_page(key: str, p: Page = Depends(page)) -> Response:
    return render_experiment(p, key)


@router.post("/experiments/{key}/adoptions")
async def adopt_solution(key: str, request: Request, p: Page = Depends(page)) -> Response:
    """The "Adopt solution" form: ``AdoptSolution`` as the signed-in person; a refusal is shown beside the form."""
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, adoption_command(key, form))
    except Refused as refused:
        error, status = refusal_text(refused), refused.status
        return await run_in_threadpool(lambda: render_experiment(p, key, failed="adopt", error=error, form=form,
                                                                 status=status))
    return RedirectResponse(p.link(f"/experiments/{key}") + "#spread", status_code=303)


def through(text: str | None) -> str | None:
    """A "To" date from a date picker includes that whole day (a full ISO time is taken as it is)."""
    return f"{text}T23:59:59.999999" if text and len(text) == 10 else text


def _moment(text: str | None, label: str) -> datetime | None:
    if not text:
        return None
    try:
        return as_of_value(parse_as_of(text))
    except ValueError:
        raise ValueError(f"{label} {text!r} is not a date (use YYYY-MM-DD)") from None


@router.get("/retro", response_class=HTMLResponse)
def retro_page(p: Page = Depends(page)) -> Response:
    who = p.workspace.reader(p.viewer)
    readable(read_rules.require_internal, who, "a retrospective")
    query = p.request.query_params
    chosen = [t for t in query.getlist("team") if t]
    start_text, end_text = query.get("from") or None, query.get("to") or None
    error = None
    retros: list[dict[str, Any]] = []
    all_teams = p.workspace.read(lambda con: con.execute(
        "SELECT team, name FROM teams WHERE business_at <= ? ORDER BY name", [p.as_of]).fetchall())
    if chosen:
        try:
            start = _moment(start_text, "From") or datetime(1970, 1, 1)
            end = min(_moment(through(end_text), "To") or p.as_of, p.as_of)
            if end < start:
                raise ValueError("To must not be before From")
            unknown = p.workspace.read(lambda con: unknown_teams(con, chosen, who, p.as_of))
            if unknown:
                raise ValueError(unknown)
            found = p.workspace.read(lambda con: [read_rules.retro_answer(who, retrospective(con, t, start, end))
                                                  for t in chosen])
            retros = [{**r, "html": chart(report_html.team_section(r, p.names))} for r in found]
        except ValueError as problem:
            error = str(problem)
    if not chosen:  # offer the viewer's own teams first
        mine = p.workspace.read(lambda con: con.execute(
            "SELECT team FROM team_members_as_of(?) WHERE person = ?", [p.as_of, p.viewer.person]).fetchall())
        selected = [t for (t,) in mine]
    else:
        selected = chosen
    title = f"Retrospective of {', '.join(chosen)}" if chosen else "Retrospective"
    return p.html("retro.html", p.context(
        title, crumbs=(("Start", p.link("/")), ("retrospective", None)), keep=("team", "from", "to"),
        all_teams=[{"team": t, "name": n} for t, n in all_teams], chosen=selected, start=start_text, end=end_text,
        retros=retros, error=error,
    ), 422 if error else 200)


def _href(p: Page, aggregate: str | None, key: str | None) -> str | None:
    if aggregate == "Adoption" and key:  # "<experiment>/<team>": where it spread is told on the experiment's page
        aggregate, key = "Experiment", key.rpartition("/")[0]
    kind = {"Promise": "promises", "Team": "teams", "Experiment": "experiments"}.get(aggregate or "")
    return p.link(f"/{kind}/{key}") if kind and key else None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(p: Page = Depends(page), offset: Offset = 0) -> Response:
    query = p.request.query_params
    filters: dict[str, str | None] = {k: (query.get(k) or None) for k in ("actor", "team", "promise", "from", "to")}
    error = None
    found: dict[str, Any] = {"items": [], "total": 0, "next_offset": None}
    try:
        _moment(filters["from"], "From")
        end = _moment(through(filters["to"]), "To")
        asked = {**filters, "to": through(filters["to"])}
        if p.past and (end is None or end > p.as_of):
            asked["to"] = p.as_of_param  # looking back: nothing after the as-of moment
        found = p.workspace.audit(asked, p.workspace.reader(p.viewer), AUDIT_ROWS, offset)
    except ValueError as problem:
        error = str(problem)
    events = [{**e, "href": _href(p, e.get("aggregate"), e.get("key"))} for e in found["items"]]
    pager = {"first": offset + 1, "last": offset + len(events), "total": found["total"],
             "older": p.link("/audit", **filters, offset=found["next_offset"]) if found["next_offset"] else None,
             "newer": p.link("/audit", **filters, offset=max(0, offset - AUDIT_ROWS) or None) if offset else None}
    verified = p.workspace.verify() if p.viewer.council else None
    return p.html("audit.html", p.context(
        "Audit trail", crumbs=(("Start", p.link("/")), ("audit", None)), keep=tuple(filters),
        filters=filters, events=events, pager=pager, verified=verified, error=error,
    ), 422 if error else 200)
