"""The council's pages (docs/brief.md §8 "The council"): ``/company`` with its forms, and ``/people`` with tokens.

Each company form becomes one command of the import-line shape, submitted through the server's command path as
the signed-in person (channel ``web``); a refusal is shown next to its form (403 naming the rule, 422 the field).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.company_page import FORMS, company_command, render_company
from web.forms import checked_form, refusal_text
from web.page_context import Page, PageError, page
from web.workspace import Refused

router = APIRouter(include_in_schema=False)


@router.get("/company", response_class=HTMLResponse)
def company_page(p: Page = Depends(page)) -> Response:
    return render_company(p)


@router.post("/company/{form_name}")
async def company_form(form_name: str, request: Request, p: Page = Depends(page)) -> Response:
    form = await checked_form(request, p.session.csrf)
    if form_name not in FORMS:
        raise PageError(404, f"There is no form {form_name!r} on the company page.")
    if p.past:
        raise PageError(409, "Looking back (as of a past date) is read only; go back to now to act.")
    try:
        command = company_command(form_name, form)
        await run_in_threadpool(p.workspace.submit, p.viewer, command)
    except ValueError as error:
        return await run_in_threadpool(render_company, p, error={"action": form_name, "message": str(error)},
                                       form=form, status=422)
    except Refused as refused:
        return await run_in_threadpool(render_company, p, error={"action": form_name,
                                                                 "message": refusal_text(refused)},
                                       form=form, status=refused.status)
    return RedirectResponse(p.link("/company") + f"#{form_name}", status_code=303)
