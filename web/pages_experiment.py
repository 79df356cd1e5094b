"""The experiment forms (docs/brief.md §8 "Daily forms"): "Propose experiment" on the team page; "Start
experiment", "Record results" and "Conclude experiment" on the experiment page. Each is recorded as the signed-in
person through the one command path (channel ``web``); a refusal shows the page again with the reason beside its
form (403 naming the rule, 422 naming the field, 413 for a file too large) and what was typed kept.

A CSV file of results is recorded whole in one transaction or not at all (``Workspace.submit_all``): a bad row is
named by its row number, and nothing of that upload is recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from web import experiment_commands as make
from web import upload_keys
from web.experiment_page import render_experiment
from web.forms import checked_form, refusal_text
from web.page_context import Page, PageError, page
from web.results_csv import MAX_BYTES, observations
from web.team_page import render_team
from web.workspace import Refused

router = APIRouter(include_in_schema=False)
Shown = Callable[[str, dict[str, str], int], Response]
"""The page again, with an error beside the form that failed: (error, what was typed, status)."""


async def _act(p: Page, form: dict[str, str], record: Callable[[], Any], show: Shown, done: str,
               anchor: str = "") -> Response:
    """Record (``record`` raises ``Refused`` or ``ValueError``), then go to ``done`` (at ``anchor``); or show
    the refusal."""
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    try:
        await run_in_threadpool(record)
    except Refused as refused:
        return await run_in_threadpool(show, refusal_text(refused), form, refused.status)
    except ValueError as invalid:  # a field of the form's own, or a file of results (413 when too large)
        return await run_in_threadpool(show, str(invalid), form, getattr(invalid, "status", 422))
    return RedirectResponse(p.link(done) + (f"#{anchor}" if anchor else ""), status_code=303)


@router.post("/teams/{team}/experiments")
async def propose(team: str, request: Request, p: Page = Depends(page)) -> Response:
    form = await checked_form(request, p.session.csrf)
    command = make.propose_command(team, form)

    def show(error: str, typed: dict[str, str], status: int) -> Response:
        return render_team(p, team, failed="experiments", error=error, form=typed, status=status)

    return await _act(p, form, lambda: p.workspace.submit(p.viewer, command), show,
                      f"/experiments/{command['experiment']}")


FORMS: dict[str, tuple[Callable[[str, dict[str, str]], dict[str, Any]], str]] = {
    "start": (make.start_command, "outcome"),
    "observations": (make.observation_command, "record-results"),
    "summaries": (make.summary_command, "record-results"),
    "conclude": (make.conclude_command, "outcome"),
}
"""Each experiment form's address under ``/experiments/{key}/``: how its command is made, where the page goes."""


def _shown(p: Page, key: str, kind: str) -> Shown:
    return lambda error, typed, status: render_experiment(p, key, failed=kind, error=error, form=typed, status=status)


def _route(kind: str) -> Callable[..., Awaitable[Response]]:
    command_of, anchor = FORMS[kind]

    async def act(key: str, request: Request, p: Page = Depends(page)) -> Response:
        form = await checked_form(request, p.session.csrf)
        return await _act(p, form, lambda: p.workspace.submit(p.viewer, command_of(key, form)),
                          _shown(p, key, kind), f"/experiments/{key}", anchor)

    return act


for _kind in FORMS:
    router.add_api_route(f"/experiments/{{key}}/{_kind}", _route(_kind), methods=["POST"])


@router.post("/experiments/{key}/results")
async def upload_results(key: str, request: Request, p: Page = Depends(page)) -> Response:
    """A CSV file of ``arm,value[,metric,covariate]`` rows: every row recorded in one transaction, or none; a form
    sent again records nothing new and says so (``web.upload_keys``)."""
    form = await checked_form(request, p.session.csrf)
    upload = (await request.form()).get("file")
    data = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""

    def record() -> None:
        once = upload_keys.form_key(form)
        if p.workspace.sent_before(p.viewer, upload_keys.row_id(once, 0)):
            raise upload_keys.AlreadySent
        commands, rows = observations(data, key)
        try:
            recorded = p.workspace.submit_all(p.viewer, upload_keys.keyed(once, commands))
        except Refused as refused:
            if refused.status == 409 and refused.index is not None:  # the same form sent with another file
                raise upload_keys.AlreadySent from None
            if refused.index is not None:
                refused.message = f"row {rows[refused.index]}: {refused.message}"
            raise
        if recorded == 0:  # every row skipped: a submission racing this one recorded them
            raise upload_keys.AlreadySent

    try:
        return await _act(p, form, record, _shown(p, key, "results"), f"/experiments/{key}", "outcome")
    except upload_keys.AlreadySent as sent:
        return await run_in_threadpool(render_experiment, p, key, failed="results-sent", error=str(sent))
