"""The team page (members, promises with compliance charts, live open complaints, economics,
experiments) and the fragment its live list is refetched from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from projections import queries
from projections.experiments import experiments
from web import charts
from web.page_context import Page, PageError, page
from web.pages import checked_form, refusal_text
from web.pages_complaints import complaints_context
from web.templating import chart
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


def _team_data(p: Page, team: str) -> dict[str, Any]:
    def query(con: Any) -> dict[str, Any] | None:
        view = queries.team_view(con, team, p.as_of)
        if view is None:
            return None
        compliance = {
            promise["promise"]: (queries.promise_view(con, promise["promise"], p.as_of) or {}).get("compliance", [])
            for promise in view["promises"]
        }
        keys = con.execute("SELECT experiment FROM experiments WHERE team = ? AND business_at <= ? ORDER BY experiment",
                           [team, p.as_of]).fetchall()
        team_experiments = [e for (key,) in keys for e in experiments(con, p.as_of, key)]
        return {"view": view, "compliance": compliance, "experiments": team_experiments}

    found = p.workspace.read(query, ("team page", team, p.as_of))
    if found is None:
        raise PageError(404, f"There is no team {team!r}" + (f" as of {p.as_of_param}." if p.past else "."))
    return found


def _proposal_choices(p: Page) -> dict[str, Any]:
    def query(con: Any) -> dict[str, Any]:
        clients = con.execute("SELECT client, name FROM clients WHERE business_at <= ? ORDER BY name", [p.as_of])
        client_rows = clients.fetchall()
        teams = con.execute("SELECT team, name FROM teams WHERE business_at <= ? ORDER BY name", [p.as_of]).fetchall()
        metrics = con.execute("SELECT metric, name, unit, direction FROM metrics WHERE business_at <= ? ORDER BY name",
                              [p.as_of]).fetchall()
        return {
            "promisees": [{"key": k, "label": f"client {n} ({k})"} for k, n in client_rows]
            + [{"key": k, "label": f"team {n} ({k})"} for k, n in teams],
            "metrics": [{"metric": m, "name": n, "unit": u, "direction": d} for m, n, u, d in metrics],
        }

    return p.workspace.read(query)  # type: ignore[no-any-return]


def render_team(p: Page, team: str, *, propose_error: str | None = None, resolve_error: str | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> Response:
    data = _team_data(p, team)
    view = data["view"]
    can_propose = not p.past and p.viewer.scope == "write" and p.workspace.refusal(
        p.viewer, {"type": "ProposePromise", "promisor": team}) is None
    choices = _proposal_choices(p) if can_propose or propose_error else {"promisees": [], "metrics": []}
    context = p.context(
        f"Team {view['name']}", heading=f"Team {view['name']} ({team})", path=f"/teams/{team}",
        crumbs=(("Start", p.link("/")), (f"team {team}", None)),
        team=view,
        charts={key: chart(charts.compliance_chart(key, rows)) for key, rows in data["compliance"].items() if rows},
        economics_chart=chart(charts.economics_chart(view["economics"])),
        experiments=data["experiments"],
        live=None if p.past else f"/teams/{team}/complaints",
        can_propose=can_propose, propose_error=propose_error, form=form or {}, **choices,
        **complaints_context(p, team, view, resolve_error),
    )
    return p.html("team.html", context, status)


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
    except ValueError:
        return await run_in_threadpool(render_team, p, team, propose_error="Target must be a number.", form=form,
                                       status=422)
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except Refused as refused:
        return await run_in_threadpool(render_team, p, team, propose_error=refusal_text(refused), form=form,
                                       status=refused.status)
    return RedirectResponse(p.link(f"/promises/{command['promise']}"), status_code=303)
