"""The start page as rendered: a member's teams, what awaits the person's answer and, for a person who represents
clients, the client's side (docs/brief.md §8): their clients, the promises made to them and how each is doing,
their open complaints and "Log complaint". Shared by the page's route and by the complaint form, whose refusal
shows the page again with the reason next to the form."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from projections.client_side import client_side
from web.attention import attention
from web.page_context import Page

AWAITING_PAGE = 50
"""The start page weighs this many open proposals of the viewer's sides at a time (docs/brief.md §10 "Cost
bounds": one member proposing thousands of promises must not slow everyone's start page)."""

TOKENS_LISTED = 100
"""The start page lists the person's own tokens, each with "Revoke" (docs/brief.md §8), at most this many."""


def _awaiting(p: Page, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The open proposals and amendments of the viewer's sides that wait for this person's own consent."""
    awaiting = []
    for key, status, promisor, promisee, statement in [] if p.past else rows[:AWAITING_PAGE]:
        command = "AgreePromise" if status == "proposed" else "AcceptAmendment"
        if p.workspace.refusal(p.viewer, {"type": command, "promise": key}, p.as_of) is None:
            why = "your agreement is asked" if status == "proposed" else "an amendment awaits your acceptance"
            awaiting.append({"promise": key, "status": status, "promisor": promisor, "promisee": promisee,
                             "statement": statement, "why": why})
    return awaiting


def render_home(p: Page, offset: int = 0, *, log_error: str | None = None, form: dict[str, str] | None = None,
                status: int = 200) -> Response:
    me = p.viewer.person
    reader = p.workspace.reader(p.viewer)
    represented = sorted(reader.clients)
    sides = sorted(reader.teams | reader.clients)  # the teams I am in and the clients I represent

    def query(con: Any) -> dict[str, Any]:
        teams = con.execute(
            "SELECT t.team, t.name, m.role FROM teams t LEFT JOIN team_members_as_of($as_of) m"
            " ON m.team = t.team AND m.person = $me WHERE t.business_at <= $as_of ORDER BY t.name",
            {"as_of": p.as_of, "me": me},
        ).fetchall()
        open_promises = con.execute(  # under negotiation, or an amendment awaiting consent, of one of my sides
            "SELECT promise, status, promisor, promisee, statement FROM promise_state_as_of($as_of)"
            " WHERE (status = 'proposed' OR (status = 'agreed' AND event IN ('AmendmentProposed', 'Consented')))"
            " AND (list_contains($sides, promisor) OR list_contains($sides, promisee))"
            " ORDER BY promise LIMIT $limit OFFSET $offset",
            {"as_of": p.as_of, "sides": sides, "limit": AWAITING_PAGE + 1, "offset": offset},
        ).fetchall()
        side = client_side(con, represented, p.as_of) if represented else None
        return {"teams": teams, "promises": open_promises, "client_side": side}

    found = p.workspace.read(query)
    team_names = {t: n for t, n, _ in found["teams"]}
    more = not p.past and len(found["promises"]) > AWAITING_PAGE
    context = p.context(
        f"Start page of {p.viewer.name or me}",
        teams=[{"team": t, "name": n, "role": r} for t, n, r in found["teams"] if r is not None],
        other_teams=[{"team": t, "name": n} for t, n, r in found["teams"] if r is None],
        team_names=team_names, awaiting=_awaiting(p, found["promises"]), offset=offset,
        next_offset=offset + AWAITING_PAGE if more else None, client_side=found["client_side"],
        can_log=not p.past and p.viewer.scope == "write", log_error=log_error, form=form or {},
        live="/client-complaints" if represented and not p.past else None,
        tokens=p.workspace.tokens(p.viewer, me, TOKENS_LISTED, 0), attention=attention(p), back="home")
    return p.html("home.html", context, status)
