"""Tokens as use cases: issue one (printed once, kept as a digest), revoke one, authenticate a raw token.

Each request reads the token's record from the store, so expiry and revocation count at once on
every server. Issuing is the trusted operator's act (``clientocracy token issue``).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, key_id
from domain.person import Person
from domain.tokens import SCOPES, TOKEN_PATTERN, Token, digest


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str
    person: str
    scope: str
    expires_at: datetime | None

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
                now: datetime | None = None) -> IssuedToken:
    """A new token for ``person`` (the trusted operator's act; see ``is_registered``)."""
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
                  audit=Audit(at=at, reason=f"token issued ({scope})"))
    ledger.record(token.collect_events(), tracking=None, receipts=[])
    return IssuedToken(token_id, raw, person, scope, expires_at)


def is_registered(ledger: Any, person: str) -> bool:
    """Whether ``person`` was registered (RegisterPerson). A token may name a person known only by
    their memberships; the CLI warns about it, as a misspelt key would get a token that may do nothing."""
    return _get(ledger, Person, person) is not None


def revoke_token(ledger: Any, token_id: str, now: datetime | None = None) -> None:
    token = _get(ledger, Token, token_id)
    if token is None:
        raise DomainError(f"unknown token {token_id!r}")
    token.revoke(audit=Audit(at=max(now or datetime.now(UTC), token.last_at), reason="token revoked"))
    ledger.record(token.collect_events(), tracking=None, receipts=[])


def authenticate(ledger: Any, raw: str, now: datetime | None = None) -> Principal:
    """The principal a raw token stands for, read from the store now (so a revocation counts at once)."""
    found = TOKEN_PATTERN.match(raw)
    token = _get(ledger, Token, found.group(1)) if found else None
    # compare even when nothing was found, so timing does not tell a known id from an unknown one
    expected = token.digest if token is not None else "0" * 64
    if not hmac.compare_digest(expected.encode(), digest(raw).encode()) or token is None:
        raise AuthenticationFailed("unknown token")
    if token.revoked:
        raise AuthenticationFailed("token revoked")
    if token.expires_at is not None and token.expires_at <= (now or datetime.now(UTC)):
        raise AuthenticationFailed("token expired")
    return Principal(person=token.person, scope=token.scope, token_id=token.key, expires_at=token.expires_at)
