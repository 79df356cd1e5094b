"""The council's company page as rendered (docs/brief.md §8 "The council"): every team with its promises, open
complaints and this month's economics, the active signals (``web.attention``), and the council's forms.

Teams, promises, compliance and team-level economics are open to every signed-in person of the company (§10): a
member sees the page without forms; an external client (in no team, not on the council) is refused it (403).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.responses import Response

from domain.read_policy import EXTERNAL, may_see_feedback_text
from projections.company import company_view
from web.attention import attention
from web.forms import typed_number
from web.page_context import Page, PageError

FORMS = {"team": "FormTeam", "member": "AddMember", "authority": "GrantAuthority", "person": "RegisterPerson",
         "representative": "RepresentClient", "ledger": "PostLedgerEntry", "scheme": "ChooseRewardScheme",
         "assign": "AssignFeedback"}
"""The company page's forms and the command each posts through the one command path."""

VARIANTS = ("team_net_profit_share", "company_profit_share", "base_plus_team_bonus", "fixed_pay")


def company_command(form_name: str, form: dict[str, str]) -> dict[str, Any]:
    """The command a company form posts; ``ValueError`` naming the field a typed number cannot fill."""
    field = {name: value.strip() for name, value in form.items() if name != "csrf_token"}
    command: dict[str, Any] = {"type": FORMS[form_name]}
    if form_name == "team":
        command.update(team=field.get("team", ""), name=field.get("name", ""))
    elif form_name == "member":
        command.update(team=field.get("team", ""), person=field.get("person", ""), role=field.get("role", ""),
                       lead=field.get("lead") == "on")
    elif form_name == "authority":
        command.update(team=field.get("team", ""), authority=field.get("authority", ""),
                       description=field.get("description", ""))
    elif form_name == "person":
        command.update(person=field.get("person", ""), name=field.get("name", ""))
        if field.get("email"):
            command["email"] = field["email"]
    elif form_name == "assign":
        command.update(feedback_id=field.get("feedback_id", ""), team=field.get("team", ""))
    elif form_name == "representative":
        command.update(client=field.get("client", ""), person=field.get("person", ""))
    elif form_name == "ledger":
        command.update(team=field.get("team", ""), period=field.get("period", ""), kind=field.get("kind", ""),
                       amount=typed_number(field.get("amount"), "Amount"))
        if field.get("description"):
            command["description"] = field["description"]
    else:
        command.update(team=field.get("team", ""), variant=field.get("variant", VARIANTS[0]),
                       share=typed_number(field.get("share"), "Share"),
                       carry_forward_losses=field.get("carry_forward_losses") == "on")
    return command


def shown_now(p: Page) -> datetime:
    """The moment the page shows (naive UTC): the as-of time, or the clock's now."""
    return p.as_of if p.past else datetime.now(UTC).replace(tzinfo=None)


def _assign_teams(p: Page, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The teams this person may give a complaint that names none (docs/brief.md §9): the council any, a member
    their own."""
    if p.past or p.viewer.scope != "write" or not view["unassigned"]:
        return []
    probe = view["unassigned"][0]["feedback_id"]
    return [t for t in view["teams"] if p.workspace.refusal(
        p.viewer, {"type": "AssignFeedback", "feedback_id": probe, "team": t["team"]}) is None]


def _unassigned(p: Page, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The open complaints naming no team, each text shown only to whom may read it (docs/brief.md §10)."""
    who = p.workspace.reader(p.viewer)
    return [c if may_see_feedback_text(who, None, c["client"]) else {**c, "text": None}
            for c in view["unassigned"]]


def render_company(p: Page, *, error: dict[str, str] | None = None, form: dict[str, str] | None = None,
                   status: int = 200) -> Response:
    if p.workspace.reader(p.viewer).external:
        raise PageError(403, f"The company page shows internal economics (rule {EXTERNAL.rule}: an external "
                             f"client reads {EXTERNAL.who}).")
    now = shown_now(p)
    view = p.workspace.read(lambda con: company_view(con, p.as_of, now),
                            ("company page", p.as_of, now.replace(microsecond=0)))  # overdue counts move with time
    probe = {"team": view["teams"][0]["team"]} if view["teams"] else {}  # the team rows look at one
    forms = [] if p.past or p.viewer.scope != "write" else [
        name for name, command in FORMS.items() if p.workspace.refusal(p.viewer, {"type": command, **probe}) is None]
    context = p.context("Company", path="/company", crumbs=(("Start", p.link("/")), ("company", None)),
                        company=view, forms=forms, error=error, form=form or {}, variants=VARIANTS,
                        attention=attention(p), unassigned=_unassigned(p, view),
                        assign_teams=_assign_teams(p, view))
    return p.html("company.html", context, status)
