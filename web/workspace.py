"""What the pages need from the server, as one small interface (the API's services implement it).

The pages never open the store or the views themselves: they ask the server's ``Workspace`` to
authenticate a token, to run a query on its caught-up views, whether the policy allows a command,
and to submit a command through the same command path as the API (channel ``web``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

import duckdb

from domain.read_policy import Viewer as ReadViewer

T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    """The authenticated person behind a browser session."""

    person: str
    name: str | None
    council: bool
    scope: str  # read | write | ingest
    handle: Any = field(default=None, compare=False, repr=False)  # the server's own principal object


class Refused(Exception):
    """A command (or a sign-in) the server would not accept, with the HTTP status and the rule named."""

    def __init__(self, status: int, message: str, rule: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.rule = rule
        self.index = index  # which command of a batch was refused (``Workspace.submit_all``)


class Workspace(Protocol):
    def authenticate(self, token: str) -> Viewer:
        """The person the token belongs to; raises ``Refused(401)`` for an unknown, revoked or expired one."""
        ...

    def authenticate_session(self, token_id: str) -> Viewer:
        """The person of a browser session, by the id of the token it was opened with (checked now);
        raises ``Refused(401)`` once that token is revoked or expired."""
        ...

    def read(self, query: Callable[[duckdb.DuckDBPyConnection], T], key: tuple[Any, ...] | None = None) -> T:
        """Run ``query`` on the server's views, caught up with every write it has answered. With a ``key``
        the answer may come from a cache of this views position (callers must not change it)."""
        ...

    def remember(self, question: Hashable, compute: Callable[[], Any]) -> Any:
        """A part shared by several answers (``team_view``'s ``remember``), kept per views file and the facts its
        question names."""
        ...

    def refusal(self, viewer: Viewer, command: dict[str, Any], as_of: datetime | None = None) -> str | None:
        """None when the policy lets ``viewer`` run ``command`` (import-line shape), else the rule it breaks."""
        ...

    def submit(self, viewer: Viewer, command: dict[str, Any]) -> None:
        """Record ``command`` as ``viewer`` through channel ``web``; raises ``Refused`` (403 rule, 422 invalid)."""
        ...

    def sent_before(self, viewer: Viewer, command_id: str) -> bool:
        """Whether ``viewer`` sent a command with this line ``id`` before (its idempotency key is recorded)."""
        ...

    def submit_all(self, viewer: Viewer, commands: list[dict[str, Any]]) -> int:
        """Record every one of ``commands`` in one transaction, or none: the number recorded; raises ``Refused``
        for the first command refused, with its ``index``."""
        ...

    def reader(self, viewer: Viewer) -> ReadViewer:
        """``viewer`` as docs/brief.md §10's read rules see them (``projections.read_rules`` redacts by it)."""
        ...

    def audit(self, filters: dict[str, str | None], reader: ReadViewer, limit: int, offset: int) -> dict[str, Any]:
        """A page (``projections.paging.page``), newest first, of the ``/api/audit`` events for these filters
        (actor, team, promise, from, to) that ``reader`` may see."""
        ...

    def tokens(self, viewer: Viewer, person: str | None, limit: int, offset: int) -> dict[str, Any]:
        """``GET /api/tokens``'s page of tokens ``viewer`` may list (their own; the council's, anyone's)."""
        ...

    def issue_token(self, viewer: Viewer, person: str | None, scope: str, days: float | None) -> dict[str, Any]:
        """``POST /api/tokens``: ``{token_id, token, ...}`` shown once; raises ``Refused`` (403 rule, 422)."""
        ...

    def revoke_token(self, viewer: Viewer, token_id: str) -> None:
        """``DELETE /api/tokens/{id}``; raises ``Refused`` (404 for a token they may not know of)."""
        ...

    def verify(self) -> dict[str, Any]:
        """The ``verify --json`` answer: ok, events, head, first_bad_position, problem."""
        ...
