"""The team page as rendered (members, promises with compliance charts, open complaints, economics,
experiments): shared by the team page's routes and by a complaint form whose refusal shows the page again."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from projections import queries, read_rules
from projections.complaint_clock import clock_key
from projections.experiments import experiments
from projections.promise_health import health_of
from projections.rendering import charts
from projections.rendering.experiment_story import story
from projections.timeline import moment_of
from web.page_context import Page, minute_shown, not_found
from web.team_daily import CHOICES, complaint_clients, daily_context
from web.team_success import success_context
from web.templating import chart

COMPLAINTS_SHOWN = 100  # the newest; the heading counts them all


def complaints_context(p: Page, team: str, view: dict[str, Any], error: str | None = None,
                       respond: tuple[str, str] | None = None) -> dict[str, Any]:
    """The heading's true count, the newest complaints, and whether this person may resolve (and respond to) them;
    ``respond``: the complaint whose Respond form was refused, and why (shown beside that form)."""
    complaints = sorted(view["open_complaints"], key=lambda c: (c["occurred_at"] or "", c["feedback_id"]),
                        reverse=True)
    count = view.get("open_complaints_count")
    count = len(complaints) if count is None else count  # an external client counts their own clients' only
    # every complaint listed belongs to this team, so one policy answer covers them all
    can_resolve = bool(complaints) and not p.past and p.viewer.scope == "write" and p.workspace.refusal(
        p.viewer, {"type": "ResolveFeedback", "feedback_id": complaints[0]["feedback_id"]}) is None
    return {"complaints": complaints[:COMPLAINTS_SHOWN], "count": count, "team_key": team,
            "can_resolve": can_resolve, "resolve_error": error, "csrf_token": p.session.csrf,
            "respond_failed": respond[0] if respond else None, "respond_error": respond[1] if respond else None}


def _team_data(p: Page, team: str) -> dict[str, Any]:
    who = p.workspace.reader(p.viewer)
    clients = read_rules.complaint_clients(who)

    def query(con: Any) -> dict[str, Any] | None:
        view = queries.team_view(con, team, p.as_of, remember=p.workspace.remember, clients=clients)
        if view is None:
            return None
        shown = [promise["promise"] for promise in view["promises"] + view["promises_received"]]
        rows = queries.compliance_rows(con, shown, p.as_of)  # one statement each for all the team's promises
        health = health_of(con, shown, p.as_of, moment_of(p.as_of))
        compliance = {key: {"rows": rows[key], "health": health.get(key)} for key in shown}
        keys = con.execute("SELECT experiment FROM experiments WHERE team = ? AND business_at <= ? ORDER BY experiment",
                           [team, p.as_of]).fetchall()
        team_experiments = [{**e, "told": story(e)} for (key,) in keys for e in experiments(con, p.as_of, key)]
        return {"view": view, "compliance": compliance, "experiments": team_experiments}

    found = p.workspace.read(query, ("team page", team, p.as_of, minute_shown(p), clock_key(p.as_of), clients))
    if found is None:
        raise not_found(p, "team", team)
    view = read_rules.redact_team(who, found["view"])
    shown = {promise["promise"] for promise in view["promises"] + view["promises_received"]}
    return {"view": view, "compliance": {k: v for k, v in found["compliance"].items() if k in shown},
            "experiments": found["experiments"] if read_rules.may_see_internal(who) else []}


def _proposal_choices(p: Page) -> dict[str, Any]:
    """The propose form's suggestions (any key may be typed): the clients and teams to promise to, the metrics."""
    asked = [p.as_of, CHOICES]  # suggestions only (docs/brief.md §10 "Cost bounds")

    def query(con: Any) -> dict[str, Any]:
        team_rows = con.execute("SELECT team, name FROM teams WHERE business_at <= ? ORDER BY name LIMIT ?", asked)
        teams = [{"key": k, "label": f"team {n} ({k})"} for k, n in team_rows.fetchall()]
        metrics = con.execute("SELECT metric, name, unit, direction, owner FROM metrics WHERE business_at <= ? "
                              "ORDER BY name LIMIT ?", asked).fetchall()
        return {"teams": teams, "metrics": [{"metric": m, "name": n, "unit": u, "direction": d, "owner": o}
                                            for m, n, u, d, o in metrics]}

    found = p.workspace.read(query)
    clients = [{"key": c["key"], "label": f"client {c['label']}"} for c in complaint_clients(p)]
    return {"promisees": clients + found["teams"], "metrics": found["metrics"]}


def render_team(p: Page, team: str, *, propose_error: str | None = None, resolve_error: str | None = None,
                form: dict[str, str] | None = None, failed: str | None = None, error: str | None = None,
                respond: tuple[str, str] | None = None, status: int = 200) -> Response:
    """The page; ``failed`` names the daily form (``web.team_daily``) whose ``error`` shows beside it, with ``form``
    (what was typed) kept in it."""
    data = _team_data(p, team)
    view = data["view"]
    can_propose = not p.past and p.viewer.scope == "write" and p.workspace.refusal(
        p.viewer, {"type": "ProposePromise", "promisor": team}) is None
    daily = daily_context(p, team, view, data["experiments"])
    wanted = can_propose or propose_error or daily["daily"].get("experiment") or failed == "experiments"
    choices = _proposal_choices(p) if wanted else {"promisees": [], "metrics": []}
    context = p.context(
        f"Team {view['name']}", heading=f"Team {view['name']} ({team})", path=f"/teams/{team}",
        crumbs=(("Start", p.link("/")), (f"team {team}", None)),
        team=view,
        charts={key: chart(charts.compliance_chart(key, c["rows"])) for key, c in data["compliance"].items()
                if c["rows"]},
        health={key: c["health"] for key, c in data["compliance"].items()},
        economics_chart=chart(charts.economics_chart(view["economics"])) if view["economics"] is not None else "",
        experiments=data["experiments"],
        live=None if p.past else f"/teams/{team}/complaints",
        can_propose=can_propose, propose_error=propose_error, form=form or {}, **choices,
        typed_form=form or {},  # as typed, for a form drawn after the propose form has set ``form`` aside
        **complaints_context(p, team, view, resolve_error, respond),
        **daily, **success_context(p, team, view), failed=failed, daily_error=error,
    )
    return p.html("team.html", context, status)
