"""Who holds which token (docs/brief.md §10): ``clientocracy token list`` and ``GET /api/tokens``.

Read from the views' ``tokens`` facts, which never hold a token's digest: listing tokens shows who
may act, never a credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.paging import page

TOKENS_SQL = """
SELECT i.token_id, i.person, i.scope, i.business_at AS issued_at, i.actor AS issued_by, i.expires_at,
       r.business_at AS revoked_at, r.actor AS revoked_by
FROM tokens i LEFT JOIN tokens r ON r.token_id = i.token_id AND r.change = 'revoked'
WHERE i.change = 'issued' AND (CAST(? AS VARCHAR) IS NULL OR i.person = ?)
ORDER BY i.position
LIMIT ? OFFSET ?
"""
COUNT_SQL = "SELECT count(*) FROM tokens WHERE change = 'issued' AND (CAST(? AS VARCHAR) IS NULL OR person = ?)"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "+00:00" if value is not None else None


def token_list(con: duckdb.DuckDBPyConnection, person: str | None, now: datetime, limit: int | None = None,
               offset: int = 0) -> dict[str, Any]:
    """``{items, total, next_offset}``: each token's holder, scope, who issued it and its state at ``now``
    (naive UTC): ``active``, ``expired`` or ``revoked``."""
    total = con.execute(COUNT_SQL, [person, person]).fetchone()[0]  # type: ignore[index]
    rows = con.execute(TOKENS_SQL, [person, person, limit, offset]).fetchall()
    items = []
    for token_id, holder, scope, issued_at, issued_by, expires_at, revoked_at, revoked_by in rows:
        state = "revoked" if revoked_at else "expired" if expires_at is not None and expires_at <= now else "active"
        items.append({"token_id": token_id, "person": holder, "scope": scope, "state": state,
                      "issued_at": _iso(issued_at), "issued_by": issued_by, "expires_at": _iso(expires_at),
                      "revoked_at": _iso(revoked_at), "revoked_by": revoked_by})
    return page(items, total, limit, offset)


ACTIVE_SQL = """
SELECT count(*) FROM tokens i
WHERE i.change = 'issued' AND i.person = ? AND (i.expires_at IS NULL OR i.expires_at > ?)
  AND NOT EXISTS (SELECT 1 FROM tokens r WHERE r.token_id = i.token_id AND r.change = 'revoked')
"""


def active_tokens(con: duckdb.DuckDBPyConnection, person: str, now: datetime) -> int:
    """How many of ``person``'s tokens work at ``now`` (naive UTC)."""
    return int(con.execute(ACTIVE_SQL, [person, now]).fetchone()[0])  # type: ignore[index]
