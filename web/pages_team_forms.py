"""The team page's forms (docs/brief.md §8, §9, §11): "Record reading", "Record error review", "Record process
change", "Define metric", "Set success metric" and the lead's "Set communication rules" (with the complaint
durations of §9), each recorded as the signed-in person through the one command path (channel ``web``). A refusal
shows the team page again with the reason beside its form (403 naming the rule, 422 naming the field) and what was
typed kept. "Log complaint" posts to the representative's ``/complaints``."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.forms import checked_form, refusal_text
from web.page_context import Page, PageError, page
from web.team_page import render_team
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


def _text(form: dict[str, str], name: str) -> str:
    return form.get(name, "").strip()


def _optional(command: dict[str, Any], form: dict[str, str], *names: str) -> dict[str, Any]:
    """``command`` with each named field the form filled in (an empty one is left out: the command's default)."""
    return {**command, **{name: _text(form, name) for name in names if _text(form, name)}}


def _new_key(kind: str) -> str:
    """A key for a record people refer to by what it says (a review, a change): the day and a random tail."""
    return f"{kind}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def _number(raw: str) -> Any:
    """A typed number as a float; text that is not one is passed as typed, so the command's check names the field."""
    try:
        return float(raw)
    except ValueError:
        return raw


def reading_command(_team: str, form: dict[str, str]) -> dict[str, Any]:
    """RecordReading; no ``at`` unless a time was given (then the server's now, or later: docs/brief.md §10)."""
    command: dict[str, Any] = {"type": "RecordReading", "metric": _text(form, "metric"),
                               "value": _number(_text(form, "value"))}
    taken = _text(form, "at")
    if taken:  # a datetime-local field, in UTC as its label says
        command["at"] = taken if taken.endswith("Z") or "+" in taken else f"{taken}Z"
    return _optional(command, form, "reason")


def review_command(team: str, form: dict[str, str]) -> dict[str, Any]:
    command = {"type": "RecordErrorReview", "review": _text(form, "review") or _new_key("review"), "team": team,
               **{name: _text(form, name) for name in ("what_happened", "cause", "lesson")}}
    return _optional(command, form, "promise")


def change_command(team: str, form: dict[str, str]) -> dict[str, Any]:
    command = {"type": "RecordProcessChange", "change": _text(form, "change") or _new_key("change"), "team": team,
               "description": _text(form, "description")}
    return _optional(command, form, "experiment", "review")


def metric_command(_team: str, form: dict[str, str]) -> dict[str, Any]:
    command = {"type": "DefineMetric", "metric": _text(form, "metric"), "name": _text(form, "name"),
               "unit": _text(form, "unit"), "direction": form.get("direction", "higher_is_better")}
    return _optional(command, form, "owner")


def success_command(team: str, form: dict[str, str]) -> dict[str, Any]:
    """SetSuccessMetric; an empty target sets none (months are then shown, not judged)."""
    command: dict[str, Any] = {"type": "SetSuccessMetric", "team": team, "metric": _text(form, "metric"),
                               "reason": _text(form, "reason")}
    target = _text(form, "target")
    if target:
        command["target"] = _number(target)
    return command


def rules_command(team: str, form: dict[str, str]) -> dict[str, Any]:
    """SetCommunicationRules from the rules form: one rule a line, and the complaint durations as typed (an empty
    one is sent as null, which removes it: the form shows the ones in force)."""
    rules = [line.strip() for line in form.get("rules", "").splitlines() if line.strip()]
    return {"type": "SetCommunicationRules", "team": team, "rules": rules,
            **{name: _text(form, name) or None
               for name in ("complaint_response_within", "complaint_resolution_within")}}


FORMS: dict[str, tuple[Callable[[str, dict[str, str]], dict[str, Any]], str]] = {
    "readings": (reading_command, "promises"),
    "error-reviews": (review_command, "records"),
    "process-changes": (change_command, "records"),
    "metrics": (metric_command, "daily-metric"),
    "success-metric": (success_command, "success"),
    "communication-rules": (rules_command, "rules"),
}
"""Each form's address under ``/teams/{team}/``: how its command is made, and where the page goes after it."""


async def _record(kind: str, team: str, request: Request, p: Page) -> Response:
    form = await checked_form(request, p.session.csrf)
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    make, anchor = FORMS[kind]
    try:
        await run_in_threadpool(p.workspace.submit, p.viewer, make(team, form))
    except Refused as refused:
        error, status = refusal_text(refused), refused.status
        return await run_in_threadpool(lambda: render_team(p, team, failed=kind, error=error, form=form,
                                                           status=status))
    return RedirectResponse(p.link(f"/teams/{team}") + f"#{anchor}", status_code=303)


def _route(kind: str) -> Callable[..., Any]:
    async def record(team: str, request: Request, p: Page = Depends(page)) -> Response:
        return await _record(kind, team, request, p)

    return record


for _kind in FORMS:  # one address each, so other team addresses stay free
    router.add_api_route(f"/teams/{{team}}/{_kind}", _route(_kind), methods=["POST"])
