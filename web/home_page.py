"""The start page as rendered: a member's teams, what awaits the person's answer and, for a person who represents
clients, the client's side (docs/brief.md §8): their clients, the promises made to them and how each is doing,
their open complaints and "Log complaint". Shared by the page's route and by the complaint form, whose refusal
shows the page again with the reason next to the form."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from projections.awaiting import awaiting_answer
from projections.client_side import PROMISES_LISTED, client_side
from web.attention import attention
from web.page_context import Page

AWAITING_PAGE = 50
"""The start page lists this many of the proposals awaiting the person's answer at a time, with how many there are
(docs/brief.md §10 "Cost bounds": one member proposing thousands of promises must not slow anyone's start page)."""

SECTIONS = {"offset": "awaiting", "promises_offset": "client-promises"}
"""The start page's paged lists: each one's offset in the address, and the id of its section."""

TOKENS_LISTED = 100
"""The start page lists the person's own tokens, each with "Revoke" (docs/brief.md §8), at most this many."""


def _pager(p: Page, offsets: dict[str, int], name: str, shown: int, total: int, listed: int) -> dict[str, str | None]:
    """Where a list's "Previous" and "Next" links lead (None: nowhere), for ``shown`` of ``total`` items from its
    offset ``offsets[name]``: to the list itself (its section's id), the other list staying where it was."""
    offset = offsets[name]

    def to(start: int) -> str:
        query = {key: value or None for key, value in {**offsets, name: start}.items()}
        return p.link(f"/#{SECTIONS[name]}", **query)

    return {"previous": to(max(offset - listed, 0)) if offset else None,
            "next": to(offset + shown) if shown and offset + shown < total else None}


def render_home(p: Page, offset: int = 0, promises_offset: int = 0, *, log_error: str | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> Response:
    """``offset``: where the awaiting list starts; ``promises_offset``: where the client's promises start."""
    me = p.viewer.person
    reader = p.workspace.reader(p.viewer)
    represented = sorted(reader.clients)
    answering = not p.past and p.viewer.scope == "write"  # answers (and complaints) are given now, with a write token

    def query(con: Any) -> dict[str, Any]:
        teams = con.execute(
            "SELECT t.team, t.name, m.role FROM teams t LEFT JOIN team_members_as_of($as_of) m"
            " ON m.team = t.team AND m.person = $me WHERE t.business_at <= $as_of ORDER BY t.name",
            {"as_of": p.as_of, "me": me},
        ).fetchall()
        awaiting = awaiting_answer(con, me, p.as_of, AWAITING_PAGE, offset) if answering else (0, [])
        side = client_side(con, represented, p.as_of, promises_offset) if represented else None
        return {"teams": teams, "awaiting": awaiting, "client_side": side}

    found = p.workspace.read(query)
    offsets = {"offset": offset, "promises_offset": promises_offset}
    team_names = {t: n for t, n, _ in found["teams"]}
    awaiting_count, awaiting = found["awaiting"]
    side = found["client_side"]
    context = p.context(
        f"Start page of {p.viewer.name or me}",
        teams=[{"team": t, "name": n, "role": r} for t, n, r in found["teams"] if r is not None],
        other_teams=[{"team": t, "name": n} for t, n, r in found["teams"] if r is None],
        team_names=team_names, awaiting=awaiting, awaiting_count=awaiting_count, offset=offset,
        awaiting_pages=_pager(p, offsets, "offset", len(awaiting), awaiting_count, AWAITING_PAGE), client_side=side,
        promises_offset=promises_offset,
        promise_pages=_pager(p, offsets, "promises_offset", len(side["promises"]), side["promise_count"],
                             PROMISES_LISTED) if side else None,
        can_log=answering, log_error=log_error, form=form or {},
        live="/client-complaints" if represented and not p.past else None,
        tokens=p.workspace.tokens(p.viewer, me, TOKENS_LISTED, 0), attention=attention(p), back="home")
    return p.html("home.html", context, status)
