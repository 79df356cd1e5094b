"""Issuing and revoking tokens as a signed-in person, for the API (``web.api_tokens``) and the pages (``/people``,
the start page): the rules are ``domain.service.tokens``'s, the working-token count the views'. One way in for both,
so a token issued in the browser is exactly the API's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from domain.service.token_use import with_last_used
from domain.service.tokens import IssuedToken, Principal, is_council, issue_token_as, revoke_token_as
from projections.token_list import active_tokens, token_list

if TYPE_CHECKING:
    from web.server import Server


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def issue(server: Server, principal: Principal, person: str | None, scope: str, days: float | None) -> IssuedToken:
    """A token issued by ``principal`` (for themself when ``person`` is None); raises ``TokenRefused``,
    ``DomainError`` as ``issue_token_as`` does. The views learn of it before the answer (read-your-writes)."""

    def working(holder: str) -> int:
        server.views.fresh()
        with server.views.reading() as con:
            return active_tokens(con, holder, _now())

    issued = issue_token_as(server.ledger, principal, person or principal.person, scope, days, working=working)
    server.views.note_written(issued.position)
    return issued


def revoke(server: Server, principal: Principal, token_id: str) -> None:
    """Revoke ``token_id`` as ``principal``: their own, or (the council) any; raises ``UnknownToken`` otherwise."""
    server.views.note_written(revoke_token_as(server.ledger, principal, token_id))


def tokens(server: Server, principal: Principal, person: str | None, limit: int, offset: int) -> dict[str, Any]:
    """``{items, total, next_offset}`` of the tokens ``principal`` may list: their own; the council's, anyone's
    (``person`` None: everyone's), each with when it was last used. Not cached: a token's state changes with
    the clock."""
    council = is_council(server.ledger, principal.person)
    if not council and person not in (None, principal.person):
        return {"items": [], "total": 0, "next_offset": None}  # another's tokens: none to see
    server.views.fresh()
    with server.views.reading() as con:
        listing = token_list(con, person if council else principal.person, _now(), limit, offset)
    return with_last_used(listing, server.ledger.store)
