"""Tokens as use cases: issue one (printed once, kept as a digest), revoke one, authenticate a raw token.

Each request reads the token's record from the store, so expiry and revocation count at once on
every server, and notes when the token was last used (operational data beside the store, not an
event). The trusted operator issues any token (``clientocracy token issue``); through the API a person
issues and revokes their own, and the council issues read or ingest tokens for others (never write
tokens, so it cannot act as a side) and revokes any (docs/brief.md §10, ``issue_token_as``).
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, key_id
from domain.person import Person
from domain.service.token_use import token_uses
from domain.tokens import SCOPES, TOKEN_PATTERN, Token, digest


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str
    person: str
    scope: str
    expires_at: datetime | None
    position: int | None = None  # where the store recorded it (read-your-writes), not part of the answer

    def to_dict(self) -> dict[str, Any]:
        return {"token_id": self.token_id, "token": self.token, "person": self.person, "scope": self.scope,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None}


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, and what its token allows."""

    person: str
    scope: str
    token_id: str
    expires_at: datetime | None = None


class AuthenticationFailed(Exception):
    """No usable token: unknown, malformed, revoked or expired (an HTTP 401)."""


def _get(ledger: Any, cls: type[LedgerAggregate], key: str) -> Any:
    try:
        return ledger.repository.get(key_id(cls.KIND, key))
    except AggregateNotFoundError:
        return None


def issue_token(ledger: Any, person: str, scope: str = "write", days: float | None = None,
                now: datetime | None = None, actor: str | None = None) -> IssuedToken:
    """A new token for ``person``: the trusted operator's act (``actor`` None), or ``issue_token_as``'s."""
    if scope not in SCOPES:
        raise DomainError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if days is not None and not days > 0:
        raise DomainError("--expires must be a positive number of days")
    if not person.strip() or len(person) > 200 or any(ord(ch) < 32 for ch in person):
        raise DomainError(f"person {person!r}: a person key is 1-200 printable characters")
    at = now or datetime.now(UTC)
    token_id = secrets.token_hex(8)
    raw = f"clo_{token_id}_{secrets.token_urlsafe(32)}"
    expires_at = at + timedelta(days=days) if days is not None else None
    token = Token(key=token_id, person=person, scope=scope, expires_at=expires_at, digest=digest(raw),
                  audit=Audit(at=at, actor=actor, reason=f"token issued ({scope})"))
    position = ledger.record(token.collect_events(), tracking=None, receipts=[])
    return IssuedToken(token_id, raw, person, scope, expires_at, position)


def is_registered(ledger: Any, person: str) -> bool:
    """Whether ``person`` was registered (RegisterPerson). A token may name a person known only by
    their memberships; the CLI warns about it, as a misspelt key would get a token that may do nothing."""
    return _get(ledger, Person, person) is not None


def revoke_token(ledger: Any, token_id: str, now: datetime | None = None, actor: str | None = None) -> int | None:
    """Revoke a token; the store position of the revocation (so a server's next check sees it)."""
    token = _get(ledger, Token, token_id)
    if token is None:
        raise DomainError(f"unknown token {token_id!r}")
    token.revoke(audit=Audit(at=max(now or datetime.now(UTC), token.last_at), actor=actor, reason="token revoked"))
    return ledger.record(token.collect_events(), tracking=None, receipts=[])  # type: ignore[no-any-return]


def authenticate(ledger: Any, raw: str, now: datetime | None = None) -> Principal:
    """The principal a raw token stands for, read from the store now (so a revocation counts at once)."""
    found = TOKEN_PATTERN.match(raw)
    token = _get(ledger, Token, found.group(1)) if found else None
    # compare even when nothing was found, so timing does not tell a known id from an unknown one
    expected = token.digest if token is not None else "0" * 64
    if not hmac.compare_digest(expected.encode(), digest(raw).encode()) or token is None:
        raise AuthenticationFailed("unknown token")
    return _used(ledger, _usable(token, now), now)


def authenticate_id(ledger: Any, token_id: str, now: datetime | None = None) -> Principal:
    """The principal of a token proven at sign-in, by its id (a browser session keeps nothing else),
    read from the store now: a revoked or expired token ends the session at once."""
    token = _get(ledger, Token, token_id)
    if token is None:
        raise AuthenticationFailed("unknown token")
    return _used(ledger, _usable(token, now), now)


def _used(ledger: Any, principal: Principal, now: datetime | None) -> Principal:
    """``principal``, its token's use noted (at most a write a minute: ``domain.service.token_use``)."""
    token_uses(ledger.store).note(principal.token_id, now)
    return principal


def _usable(token: Any, now: datetime | None) -> Principal:
    if token.revoked:
        raise AuthenticationFailed("token revoked")
    if token.expires_at is not None and token.expires_at <= (now or datetime.now(UTC)):
        raise AuthenticationFailed("token expired")
    return Principal(person=token.person, scope=token.scope, token_id=token.key, expires_at=token.expires_at)


ISSUE_RULE = "IssueToken: the person themself; the council read or ingest tokens for others"
REVOKE_RULE = "RevokeToken: the token's person, the council"
ISSUE_SCOPE_RULE = "IssueToken: write scope"
REVOKE_SCOPE_RULE = "RevokeToken: write scope"


class TokenRefused(Exception):
    """A person may not issue or revoke this token (an HTTP 403 naming ``rule``)."""

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.rule = rule


class UnknownToken(DomainError):
    """No such token, or one the requester may not know of (an HTTP 404)."""


def is_council(ledger: Any, person: str) -> bool:
    found = _get(ledger, Person, person)
    return found is not None and bool(found.council)


MAX_WORKING_TOKENS = 100
"""Working tokens one person may hold through the API (live streams are limited per token: this bounds them)."""


def issue_token_as(ledger: Any, requester: Principal, person: str, scope: str, days: float | None = None,
                   now: datetime | None = None, working: Callable[[str], int] | None = None) -> IssuedToken:
    """A token issued by ``requester`` through the API or the web (docs/brief.md §10): only with a write token
    (a read token's holder, signed in on the web, minted write tokens), expiring no later than the requester's
    own (a leaked short-lived token cannot mint one that outlives it). ``working(person)``: how many of their
    tokens work now."""
    if requester.scope != "write":
        raise TokenRefused(ISSUE_SCOPE_RULE, f"token scope {requester.scope!r} may not issue tokens")
    until = requester.expires_at
    if person != requester.person:
        if not is_council(ledger, requester.person):
            raise TokenRefused(ISSUE_RULE, f"{requester.person} may issue tokens only for themself")
        if scope == "write":
            raise TokenRefused(ISSUE_RULE, "the council issues read or ingest tokens for others, never write "
                                           "tokens (it cannot act as a side)")
        if not is_registered(ledger, person):
            raise DomainError(f"person {person!r} is not registered (RegisterPerson)")
    held = working(person) if working is not None else 0
    if held >= MAX_WORKING_TOKENS:
        raise DomainError(f"{person} holds {held} working tokens, the most one may; revoke one first")
    at = now or datetime.now(UTC)
    if until is not None:
        left = (until - at).total_seconds() / 86400
        days = left if days is None else min(days, left)
        if days <= 0:
            raise TokenRefused(ISSUE_RULE, "the token this request came with has expired")
    return issue_token(ledger, person, scope, days, at, actor=requester.person)


def revoke_token_as(ledger: Any, requester: Principal, token_id: str, now: datetime | None = None) -> int | None:
    """``requester`` revokes their own token, or (the council) anyone's; another's token is not found. A token
    that is not a write token may revoke only itself."""
    if requester.scope != "write" and token_id != requester.token_id:
        raise TokenRefused(REVOKE_SCOPE_RULE, f"token scope {requester.scope!r} may revoke only itself")
    token = _get(ledger, Token, token_id) if re.fullmatch(r"[0-9a-f]{16}", token_id) else None
    if token is None or (token.person != requester.person and not is_council(ledger, requester.person)):
        raise UnknownToken(f"unknown token {token_id!r}")
    return revoke_token(ledger, token_id, now, actor=requester.person)
