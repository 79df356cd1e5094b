"""The pages' ``Workspace`` on a running server: the API's token check, views, policy and command path.

Nothing here decides anything of its own: authentication is ``domain.service.tokens.authenticate``,
permission is ``domain.service.acting.decide`` (the same permission table and token scopes as the API),
and a form's command goes through ``domain.service.acting.run_commands`` with channel ``web``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

import duckdb
from fastapi import Request

from domain import commands as c
from domain.base import DomainError
from domain.person import Person
from domain.read_policy import Viewer as ReadViewer
from domain.service.answers import AnswerCache
from domain.service.receipts import person_sender, sender_line_receipt
from domain.service.tokens import (
    AuthenticationFailed,
    Principal,
    TokenRefused,
    UnknownToken,
    authenticate,
    authenticate_id,
)
from domain.service.verify import verify
from projections.paging import page
from projections.read_rules import audit_params
from projections.signals.own_errors import cursors_own
from web import token_actions
from web.readers import reader
from web.server import Server
from web.service import ItemResult, decide, run_commands
from web.workspace import Refused, Viewer

T = TypeVar("T")
log = logging.getLogger(__name__)
CACHE_SIZE = 256


class ServerWorkspace:
    def __init__(self, server: Server) -> None:
        self.server = server
        # page answers per views position: many open team pages refetch the same answer after each event
        self.answers = AnswerCache(CACHE_SIZE, own=cursors_own)

    def authenticate(self, token: str) -> Viewer:
        return self._viewer(lambda: authenticate(self.server.ledger, token))

    def authenticate_session(self, token_id: str) -> Viewer:
        return self._viewer(lambda: authenticate_id(self.server.ledger, token_id))

    def _viewer(self, check: Callable[[], Principal]) -> Viewer:
        try:
            principal = check()
        except AuthenticationFailed as error:
            raise Refused(401, str(error)) from None

        person = self.server.ledger.state(Person, principal.person)
        name = getattr(person, "name", None)
        council = bool(getattr(person, "council", False))
        return Viewer(principal.person, name if isinstance(name, str) else None, council, principal.scope, principal)

    def read(self, query: Callable[[duckdb.DuckDBPyConnection], T], key: tuple[Any, ...] | None = None) -> T:
        views = self.server.views
        position = views.fresh()

        def answer() -> T:
            with views.reading() as con:
                return query(con)

        return answer() if key is None else self.answers.answer(key, position, views.generation, answer)

    def remember(self, question: Hashable, compute: Callable[[], Any]) -> Any:
        return self.server.remember(question, compute)

    def refusal(self, viewer: Viewer, command: dict[str, Any], as_of: datetime | None = None) -> str | None:
        model = getattr(c, command["type"])
        probe = model.model_construct(**command)  # a hypothetical command: only the keys the rules look at
        try:
            decision = decide(self.server, _principal(viewer), probe)
        except Exception as error:  # a rule that needs more of the command than the probe has: hide the button
            log.warning("cannot decide %s for %s on a probe: %r", command["type"], viewer.person, error)
            return f"{command['type']}: undecidable before the form is filled"
        return None if decision else decision.rule  # type: ignore[union-attr]

    def submit(self, viewer: Viewer, command: dict[str, Any]) -> None:
        (result,) = run_commands(self.server, _principal(viewer), [command], "web")
        _raise_refused(result)

    def sent_before(self, viewer: Viewer, command_id: str) -> bool:
        receipt = sender_line_receipt(person_sender(viewer.person), command_id)
        return bool(self.server.ledger.store.existing_receipts([receipt]))

    def submit_all(self, viewer: Viewer, commands: list[dict[str, Any]]) -> int:
        results = run_commands(self.server, _principal(viewer), list(commands), "web", whole=True)
        for result in results:
            _raise_refused(result)
        return sum(result.status == "accepted" for result in results)

    def reader(self, viewer: Viewer) -> ReadViewer:
        return reader(self.server, viewer.person)

    def audit(self, filters: dict[str, str | None], reader: ReadViewer, limit: int, offset: int) -> dict[str, Any]:
        from web.api_audit import AUDIT_QUERY, audit_event, audit_filters
        from web.server import as_of_moment

        params = {**audit_filters(filters.get("actor"), filters.get("promise"), filters.get("team"),
                                  as_of_moment(filters["from"]) if filters.get("from") else None,
                                  as_of_moment(filters["to"]) if filters.get("to") else None),
                  "limit": None, "offset": 0, **audit_params(reader)}

        def newest_first(con: Any) -> tuple[list[Any], int]:
            rows = con.execute(f"SELECT * FROM ({AUDIT_QUERY}) ORDER BY position DESC LIMIT {int(limit)} "
                               f"OFFSET {int(offset)}", params).fetchall()
            return rows, con.execute(f"SELECT count(*) FROM ({AUDIT_QUERY})", params).fetchone()[0]

        rows, total = self.read(newest_first)
        return page([audit_event(row) for row in rows], total, limit, offset)

    def verify(self) -> dict[str, Any]:
        return verify(self.server.ledger).to_dict()

    def tokens(self, viewer: Viewer, person: str | None, limit: int, offset: int) -> dict[str, Any]:
        return token_actions.tokens(self.server, _principal(viewer), person, limit, offset)

    def issue_token(self, viewer: Viewer, person: str | None, scope: str, days: float | None) -> dict[str, Any]:
        return _token_errors(lambda: token_actions.issue(self.server, _principal(viewer), person, scope,
                                                         days).to_dict())

    def revoke_token(self, viewer: Viewer, token_id: str) -> None:
        _token_errors(lambda: token_actions.revoke(self.server, _principal(viewer), token_id))


def _raise_refused(result: ItemResult) -> None:
    """The API's statuses for a refused command: 403 naming the rule, 422 invalid, 409 a key reused."""
    status = {"forbidden": 403, "rejected": 422, "conflict": 409}.get(result.status)
    if status is not None:
        raise Refused(status, result.reason or result.status, result.rule, result.index)


def _token_errors(call: Callable[[], T]) -> T:
    """The API's statuses for a token refused (403 naming the rule), unknown (404) or invalid (422)."""
    try:
        return call()
    except TokenRefused as error:
        raise Refused(403, str(error), error.rule) from None
    except UnknownToken as error:
        raise Refused(404, str(error)) from None
    except DomainError as error:
        raise Refused(422, str(error)) from None


def _principal(viewer: Viewer) -> Principal:
    return viewer.handle  # type: ignore[no-any-return]


def session_principal(request: Request) -> Principal | None:
    """The API's way in for a signed-in browser: its session cookie, for reading (GET) only, so the JSON
    API's writes still need a bearer token (no cross-site form can reach them with a cookie)."""
    from web.page_context import signed_in

    if request.method != "GET":
        return None
    found = signed_in(request)
    return None if found is None else _principal(found[1])
