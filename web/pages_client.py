"""The clients pages (docs/brief.md §8, steps 1-4): the list of clients with "Identify client", and a client's
page with "Record pain", "Propose value", "Draw canvas", "Score offering" and "Choose unique factor".

Each form becomes one command of the import-line shape, submitted through the server's command path as the
signed-in person (channel ``web``); a refusal is shown next to its form (403 naming the rule, 422 the field).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from projections.lists import list_items
from web.client_page import FORMS, render_client
from web.forms import checked_form, refusal_text, typed_number
from web.limits import Offset
from web.page_context import Page, PageError, page
from web.workspace import Refused

router = APIRouter(include_in_schema=False)
LISTED = 100  # clients per page of the list


def _items(text: str | None) -> list[str]:
    """A list field typed as one item per line or comma-separated."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


def _optional(command: dict[str, Any], name: str, value: str | None) -> None:
    if value and value.strip():
        command[name] = value.strip()


def client_command(form_name: str, key: str, form: dict[str, str], pains: list[str]) -> dict[str, Any]:
    """The command a client page's form posts; ``ValueError`` naming the field a typed value cannot fill."""
    command: dict[str, Any] = {"type": FORMS[form_name]}
    if form_name == "pain":
        command.update(client=key, pain=form.get("pain", "").strip(), description=form.get("description", ""))
        if form.get("severity"):
            command["severity"] = int(typed_number(form["severity"], "Severity"))
    elif form_name == "value":
        command.update(proposition=form.get("proposition", "").strip(), client=key,
                       statement=form.get("statement", ""), characteristics=_items(form.get("characteristics")),
                       pains=pains)
        _optional(command, "team", form.get("team"))
    elif form_name == "canvas":
        command.update(canvas=form.get("canvas", "").strip(), client=key, factors=_items(form.get("factors")))
        _optional(command, "team", form.get("team"))
    elif form_name == "score":
        scores = {name[len("score-"):]: typed_number(value, f"Score of {name[len('score-'):]}")
                  for name, value in form.items() if name.startswith("score-") and value.strip()}
        command.update(canvas=form.get("canvas", ""), offering=form.get("offering", "").strip(),
                       ours=form.get("ours") == "on", scores=scores)
    else:
        command.update(canvas=form.get("canvas", ""), factor=form.get("factor", ""))
    return command


@router.get("/clients/{key}", response_class=HTMLResponse)
def client_page(key: str, p: Page = Depends(page)) -> Response:
    return render_client(p, key)


@router.post("/clients/{key}/{form_name}")
async def client_form(key: str, form_name: str, request: Request, p: Page = Depends(page)) -> Response:
    form = await checked_form(request, p.session.csrf)
    if form_name not in FORMS:
        raise PageError(404, f"There is no form {form_name!r} on a client page.")
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    action = f"{form_name}:{form.get('canvas', '')}" if form_name in ("score", "unique") else form_name
    pains = [str(v) for v in (await request.form()).getlist("pains")]
    try:
        command = client_command(form_name, key, form, pains)
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except ValueError as error:
        return await run_in_threadpool(render_client, p, key, error={"action": action, "message": str(error)},
                                       form=form, status=422)
    except Refused as refused:
        return await run_in_threadpool(render_client, p, key, error={"action": action,
                                                                     "message": refusal_text(refused)},
                                       form=form, status=refused.status)
    return RedirectResponse(p.link(f"/clients/{key}") + f"#{form_name}", status_code=303)


@router.get("/clients", response_class=HTMLResponse)
def clients_page(p: Page = Depends(page), offset: Offset = 0) -> Response:
    return _render_clients(p, offset)


def _render_clients(p: Page, offset: int = 0, *, error: str | None = None, form: dict[str, str] | None = None,
                    status: int = 200) -> Response:
    reader = p.workspace.reader(p.viewer)  # the same list as GET /api/clients, under the same read rules
    found = p.workspace.read(lambda con: list_items(con, "clients", reader, p.as_of, LISTED, offset))
    can_identify = not p.past and p.viewer.scope == "write" and p.workspace.refusal(
        p.viewer, {"type": "IdentifyClient"}) is None
    return p.html("clients.html", p.context(
        "Clients", path="/clients", crumbs=(("Start", p.link("/")), ("clients", None)), clients=found["items"],
        total=found["total"], offset=offset, next_offset=found["next_offset"],
        previous_offset=max(offset - LISTED, 0) if offset else None,
        can_identify=can_identify, error=error, form=form or {}), status)


@router.post("/clients")
async def identify_client(request: Request, p: Page = Depends(page)) -> Response:
    """"Identify client": IdentifyClient through the command path; then the new client's page."""
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    command = {"type": "IdentifyClient", "client": form.get("client", "").strip(), "name": form.get("name", ""),
               "kind": form.get("kind", "external")}
    _optional(command, "description", form.get("description"))
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except Refused as refused:
        return await run_in_threadpool(_render_clients, p, 0, error=refusal_text(refused), form=form,
                                       status=refused.status)
    return RedirectResponse(p.link(f"/clients/{command['client']}"), status_code=303)
