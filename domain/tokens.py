"""Access tokens: the ``Token`` aggregate, issued to a person with a scope, stored only as a SHA-256 digest.

A token reads ``clo_<token_id>_<secret>``: the id finds its record, the whole token's digest is
compared in constant time. Tokens are events like everything else, so issuing and revoking are
audited. Issuing, revoking and authenticating are use cases: ``domain.service.tokens``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate

Scope = Literal["write", "read", "ingest"]
SCOPES: tuple[str, ...] = ("write", "read", "ingest")
TOKEN_PATTERN = re.compile(r"^clo_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Token(LedgerAggregate):
    KIND = "token"

    @event("Issued")
    def __init__(self, key: str, person: str, scope: str, expires_at: datetime | None, digest: str,
                 audit: Audit) -> None:
        self.key = key
        self.person = person
        self.scope = scope
        self.expires_at = expires_at
        self.digest = digest
        self.revoked = False

    @event("Revoked")
    def revoke(self, audit: Audit) -> None:
        if self.revoked:
            raise DomainError(f"token {self.key} is already revoked")
        self.revoked = True
