"""A real server over a store holding a small company, with a token per person: the API tests' world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.commands import parse_command
from domain.service.ledger import Ledger
from domain.service.tokens import issue_token
from tests.support.server import ServerProcess


@contextmanager
def company_server(store: str, folder: Path, lines: list[dict[str, Any]], people: list[str] | tuple[str, ...],
                   *options: str) -> Iterator[dict[str, Any]]:
    """``lines`` recorded as the operator's import (every one accepted), a write token for each of ``people``,
    and a ``clientocracy serve`` over the store (with ``options``): ``{server, tokens, store, folder}``."""
    ledger = Ledger.open(store)
    try:
        record(ledger, lines)
        tokens = {person: issue_token(ledger, person).token for person in people}
    finally:
        ledger.close()
    server = ServerProcess(store, folder / "views.duckdb", folder / "server.log", *options)
    try:
        yield {"server": server, "tokens": tokens, "store": store, "folder": folder}
    finally:
        server.stop()


def record(ledger: Ledger, lines: list[dict[str, Any]]) -> None:
    """``lines`` recorded as the operator's import, behind any server's back; every one accepted."""
    result = ledger.execute([parse_command(json.dumps(line)) for line in lines])
    assert result.rejected == [] and result.forbidden == [], result


def post_command(world: dict[str, Any], person: str, command: Any) -> Any:
    """``POST /api/commands`` as ``person``."""
    with world["server"].client(world["tokens"][person]) as http:
        return http.post("/api/commands", json=command)
