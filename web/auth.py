"""Who is asking: a bearer token (or a session the web workspace set up) -> the authenticated principal.

Tokens travel only in the ``Authorization: Bearer`` header, never in a URL, and are never logged.
Each request reads the token's record from the store, so expiry and revocation count at once on
every server. The web workspace adds its own way in (a session cookie) by appending a resolver
to ``app.state.principal_resolvers``: ``(request) -> Principal | None``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from domain.service.acting import scope_rule
from domain.service.token_use import token_uses
from domain.service.tokens import AuthenticationFailed, Principal, authenticate
from domain.tokens import digest

__all__ = ["ApiError", "Principal", "bearer_token", "current_principal", "principal_from_token", "require_scope"]


class ApiError(Exception):
    """An answer with a status and a JSON body ``{error, [rule]}`` (see ``web.errors``)."""

    def __init__(self, status: int, error: str, rule: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.rule = rule
        self.headers = headers
        self.extra = extra or {}  # more fields of the body (a 404's ``did_you_mean``)


def unauthorized(reason: str) -> ApiError:
    return ApiError(401, f"authentication required: {reason}", headers={"WWW-Authenticate": "Bearer"})


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("the Authorization header must be 'Bearer TOKEN'")
    return token.strip()


def _unexpired(principal: Principal) -> bool:
    return principal.expires_at is None or principal.expires_at > datetime.now(UTC)


def principal_from_token(request: Request, token: str) -> Principal:
    """The principal of a raw token (raises a 401 ApiError for a bad one).

    A token checked at store position P is still good while the store is at P (revoking is an event,
    so it moves the position) and it has not expired; otherwise its record is read again. Either way
    the token's use is noted (at most a write a minute)."""
    server = request.app.state.server
    key = digest(token)
    position = server.views.store_position()
    cached = server.tokens.get(key)
    if cached is not None and cached[1] == position and _unexpired(cached[0]):
        token_uses(server.ledger.store).note(cached[0].token_id)
        return cached[0]  # type: ignore[no-any-return]
    try:
        principal = authenticate(server.ledger, token)
    except AuthenticationFailed as error:
        server.tokens.pop(key, None)
        raise unauthorized(str(error)) from None
    if len(server.tokens) > 10_000:
        server.tokens.clear()
    server.tokens[key] = (principal, position)
    return principal


def peek_principal(request: Request) -> Principal | None:
    """The bearer's principal when it is certainly still good without asking the store and its use
    need not be written now, else None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    server = request.app.state.server
    cached = server.tokens.get(digest(token.strip()))
    known = server.views.known_position()
    if cached is None or known is None or cached[1] != known or not _unexpired(cached[0]):
        return None
    if token_uses(server.ledger.store).due(cached[0].token_id):
        return None  # its use is written in the thread pool (``principal_from_token``), not on the event loop
    return cached[0]  # type: ignore[no-any-return]


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated principal of this request, or a 401."""
    token = bearer_token(request)
    if token is not None:
        return principal_from_token(request, token)
    resolvers: list[Callable[[Request], Principal | None]] = getattr(request.app.state, "principal_resolvers", [])
    for resolve in resolvers:
        principal = resolve(request)
        if principal is not None:
            return principal
    raise unauthorized("no token (send 'Authorization: Bearer TOKEN')")


def refuse_scope(principal: Principal) -> ApiError:
    return ApiError(403, f"token scope {principal.scope!r} does not allow this", scope_rule(principal.scope))


def require_scope(*scopes: str) -> Callable[..., Any]:
    """FastAPI dependency factory: the principal, when its token's scope is one of ``scopes``."""

    async def dependency(request: Request) -> Principal:
        principal = peek_principal(request)
        if principal is None:
            principal = await run_in_threadpool(current_principal, request)
        if principal.scope not in scopes:
            raise refuse_scope(principal)
        return principal

    return dependency
