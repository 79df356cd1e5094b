"""The client page as rendered (steps 1-4, promises, complaints, NPS, and the forms the policy allows): shared
by the page's route and by a form whose refusal shows the page again, next to that form."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from projections import read_rules
from projections.client_view import client_view
from projections.complaint_clock import clock_key
from projections.rendering.canvas_chart import value_curve_svg
from web.page_context import Page, not_found
from web.templating import chart

FORMS = {"pain": "RecordPain", "value": "DefineValueProposition", "canvas": "DrawStrategyCanvas",
         "score": "ScoreOffering", "unique": "ChooseUniqueFactor"}
"""The client page's forms (docs/brief.md §8) and the command each posts through the one command path."""
CHARTED = 12
"""A canvas's chart draws its first this many offerings (more lines could not be told apart); the table lists the
rest."""


def client_data(p: Page, key: str) -> dict[str, Any]:
    """``client show`` as this person may read it; a client they may not see is one that does not exist."""
    view = p.workspace.read(lambda con: client_view(con, key, p.as_of),  # open complaints age with the clock
                            ("client page", key, p.as_of, clock_key(p.as_of)))
    answer = read_rules.client_answer(p.workspace.reader(p.viewer), view)
    if answer is None:
        raise not_found(p, "client", key)
    return answer


def allowed_forms(p: Page, key: str, view: dict[str, Any]) -> list[str]:
    """The forms to show: those the permission table lets this person use now (none when looking back).
    The canvas forms need a canvas; the value and canvas forms need the internal parts readable."""
    if p.past or p.viewer.scope != "write":
        return []
    canvas = view["canvases"][0]["canvas"] if view["canvases"] else None
    allowed = []
    for form, command in FORMS.items():
        if form in ("score", "unique") and canvas is None:
            continue
        if form in ("value", "canvas") and view["canvases"] is None:
            continue
        subject = {"canvas": canvas} if form in ("score", "unique") else {"client": key}
        if p.workspace.refusal(p.viewer, {"type": command, **subject}) is None:
            allowed.append(form)
    return allowed


def render_client(p: Page, key: str, *, error: dict[str, str] | None = None, form: dict[str, str] | None = None,
                  status: int = 200) -> Response:
    view = client_data(p, key)
    title = view["name"] or key
    reader = p.workspace.reader(p.viewer)  # a team named must be the person's own (the council: any)
    my_teams = sorted(reader.teams) if not reader.council else [
        t for (t,) in p.workspace.read(lambda con: con.execute("SELECT DISTINCT team FROM teams ORDER BY team")
                                       .fetchall())]
    context = p.context(
        f"Client {title}", heading=f"Client {title}" + (f" ({key})" if view["name"] else ""),
        path=f"/clients/{key}",
        crumbs=(("Start", p.link("/")), ("clients", p.link("/clients")), (f"client {key}", None)),
        c=view, forms=allowed_forms(p, key, view), error=error, form=form or {}, my_teams=my_teams,
        figures={c["canvas"]: chart(value_curve_svg({**c, "offerings": c["offerings"][:CHARTED]}))
                 for c in view["canvases"] or []}, charted=CHARTED,
    )
    return p.html("client.html", context, status)
