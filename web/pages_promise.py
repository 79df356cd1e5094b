"""The promise page: terms, negotiation history with exactly what changed, compliance against the
target in force, and the negotiation actions the policy allows the signed-in person.

Every action posts a form that becomes one command of the import-line shape, submitted through
the server's command path as the signed-in person (channel ``web``); a refusal is shown next to
its form with the rule it broke, never as a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from projections import queries, read_rules
from projections.rendering import charts
from web.forms import checked_form, refusal_text, typed_number
from web.page_context import Page, PageError, minute_shown, not_found, page
from web.templating import chart
from web.workspace import Refused

router = APIRouter(include_in_schema=False)

# action -> (command type, is it possible in the promise's current state?)
ACTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "counter": ("CounterPropose", lambda v: v["status"] == "proposed"),
    "agree": ("AgreePromise", lambda v: v["status"] == "proposed"),
    "amend": ("ProposeAmendment", lambda v: v["status"] == "agreed" and not v.get("pending_amendment")),
    "accept": ("AcceptAmendment", lambda v: v["status"] == "agreed" and bool(v.get("pending_amendment"))),
    "decline": ("DeclineAmendment", lambda v: v["status"] == "agreed" and bool(v.get("pending_amendment"))),
    "retire": ("RetirePromise", lambda v: v["status"] != "retired"),
}
TERMS = ("promisor", "promisee", "statement", "metric", "target", "period", "parent", "requires")


def history_with_diffs(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each history entry with ``diff``: the terms its event changed, from what to what."""
    terms: dict[str, Any] = {}
    rows = []
    for entry in history:
        diff = []
        for field, after in entry["changes"].items():
            before = terms.get(field)
            if before != after:
                diff.append({"field": field, "before": before, "after": after})
            if entry["event"] != "AmendmentProposed":  # a proposal changes nothing until accepted
                terms[field] = after
        rows.append({**entry, "diff": diff})
    return rows


def _promise_data(p: Page, key: str) -> dict[str, Any]:
    def query(con: Any) -> dict[str, Any] | None:
        view = queries.promise_view(con, key, p.as_of)
        if view is None:
            return None
        team = con.execute("SELECT 1 FROM teams WHERE team = ? AND business_at <= ?",
                           [view["promisee"], p.as_of]).fetchone()  # now: the next execute replaces its result
        channels = dict(con.execute("SELECT version, channel FROM event_log WHERE aggregate_type = 'Promise'"
                                    " AND key = ?", [key]).fetchall())
        for entry in view["history"]:
            entry.setdefault("channel", channels.get(entry["version"]))
        return {"view": view, "promisee_is_team": team is not None,
                "experiments": [e for (e,) in con.execute(
                    "SELECT experiment FROM experiments WHERE promise = ? AND business_at <= ? ORDER BY experiment",
                    [key, p.as_of]).fetchall()]}

    found = p.workspace.read(query, ("promise page", key, p.as_of, minute_shown(p)))
    who = p.workspace.reader(p.viewer)
    if found is not None and read_rules.promise_answer(who, found["view"]) is None:
        found = None  # a promise an external client may not see is one that does not exist for them
    if found is not None and not read_rules.may_see_internal(who):
        found = {**found, "experiments": []}
    if found is None:
        raise not_found(p, "promise", key)
    return found


def allowed_actions(p: Page, view: dict[str, Any]) -> list[str]:
    """The actions to offer: possible now, and allowed to this person by the policy (none when looking back)."""
    if p.past or p.viewer.scope != "write":
        return []
    return [
        action for action, (command, possible) in ACTIONS.items()
        if possible(view) and p.workspace.refusal(p.viewer, {"type": command, "promise": view["promise"]}) is None
    ]


def _pending_text(view: dict[str, Any], person_name: Callable[[Any], str]) -> str | None:
    pending = view.get("pending_amendment")
    if not pending:
        return None
    changes = pending.get("changes", pending) if isinstance(pending, dict) else pending
    if isinstance(changes, dict):
        text = ", ".join(f"{k} → {v}" for k, v in changes.items())
        by = pending.get("actor") if isinstance(pending, dict) else None
        return text + (f" (proposed by {person_name(by)})" if by else "")
    return str(changes)


def render_promise(p: Page, key: str, *, error: dict[str, Any] | None = None, form: dict[str, str] | None = None,
                   status: int = 200) -> Response:
    data = _promise_data(p, key)
    view = data["view"]
    context = p.context(
        f"Promise {key}", heading=f"Promise {key}: {view['statement']}", path=f"/promises/{key}",
        crumbs=(("Start", p.link("/")), (f"team {view['promisor']}", p.link(f"/teams/{view['promisor']}")),
                (f"promise {key}", None)),
        p=view, history=history_with_diffs(view["history"]), promisee_is_team=data["promisee_is_team"],
        experiments=data["experiments"], chart=chart(charts.compliance_chart(key, view["compliance"])),
        actions=allowed_actions(p, view), pending=_pending_text(view, p.names), error=error, form=form or {},
    )
    return p.html("promise.html", context, status)


@router.get("/promises/{key}", response_class=HTMLResponse)
def promise_page(key: str, p: Page = Depends(page)) -> Response:
    return render_promise(p, key)


def _changes(form: dict[str, str], label: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    target = typed_number(form["target"], label) if (form.get("target") or "").strip() else None
    if target is not None:
        changes["target"] = target
    if form.get("statement", "").strip():
        changes["statement"] = form["statement"].strip()
    if (form.get("objective") or "").strip():
        changes["objective"] = typed_number(form["objective"], "Objective")
    if not changes:
        raise ValueError("Give a new target, statement or objective")
    return changes


def _command(action: str, key: str, form: dict[str, str]) -> dict[str, Any]:
    command: dict[str, Any] = {"type": ACTIONS[action][0], "promise": key}
    if action == "counter":
        command["changes"] = _changes(form, "Target")
    elif action == "amend":
        command["changes"] = _changes(form, "New target")
    reason = form.get("reason", "").strip()
    if reason:
        command["reason"] = reason
    return command


@router.post("/promises/{key}/{action}")
async def promise_action(key: str, action: str, request: Request, p: Page = Depends(page)) -> Response:
    action = {"accept-amendment": "accept", "decline-amendment": "decline"}.get(action, action)
    form = await checked_form(request, p.session.csrf)
    if action not in ACTIONS:
        raise PageError(404, f"There is no action {action!r} on a promise.")
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    try:
        command = _command(action, key, form)
    except ValueError as error:
        return await run_in_threadpool(render_promise, p, key, error={"action": action, "message": str(error)},
                                       form=form, status=422)
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except Refused as refused:
        return await run_in_threadpool(render_promise, p, key,
                                       error={"action": action, "message": refusal_text(refused)},
                                       form=form, status=refused.status)
    return RedirectResponse(p.link(f"/promises/{key}"), status_code=303)
