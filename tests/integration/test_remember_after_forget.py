"""A part kept while a forget replaces the views file (``Server.remember``) is kept under the generation of the
file it was read from, so it does not outlive the forget: a page read on the old file, whose kept part was stored
after the file was replaced, must not serve the forgotten client's name to the next page.

A real server over a SQLite store and its DuckDB views file; the forget is the real one (``forget_subject``,
rebuilding the server's views), run from inside the page's query, as another request's forget would land there.
The page's answer goes to the pages' cache and the kept part to the server's, as the team page's do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from domain.service.forget import forget_subject
from domain.service.ledger import Ledger
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.privacy import CONTROL_MARKERS, VICTIM, VICTIM_MARKERS, company
from tests.support.stores import store_of
from web.server import Server
from web.server_workspace import ServerWorkspace
from web.settings import ServerSettings

VICTIMS_NAME, CONTROLS_NAME = VICTIM_MARKERS[0], CONTROL_MARKERS[0]


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    with store_of("sqlite", tmp_path) as store:
        ledger = Ledger.open(store)
        try:
            assert import_lines(ledger, jsonl(company()).splitlines()).errors == []
        finally:
            ledger.close()
        running = Server(ServerSettings(store, tmp_path / "views.duckdb"))
        try:
            yield running
        finally:
            running.close()


def client_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return sorted(name for (name,) in con.execute("SELECT name FROM clients").fetchall())


def test_a_part_read_on_the_replaced_file_is_not_served_after_the_forget(server: Server) -> None:
    pages = ServerWorkspace(server)

    def page_during_a_forget(con: duckdb.DuckDBPyConnection) -> list[str]:
        names = client_names(con)  # on the file as it was when the page began
        forget_subject(server.ledger, "client", VICTIM, "asked to be forgotten", views=server.views)
        server.index.teams_of("someone")  # a read within the page opens a cursor on the new file
        return pages.remember(("client names",), lambda: names)  # type: ignore[no-any-return]

    assert VICTIMS_NAME in pages.read(page_during_a_forget, ("page", 1))  # the page began before the forget

    def next_page(con: duckdb.DuckDBPyConnection) -> list[str]:
        return pages.remember(("client names",), lambda: client_names(con))  # type: ignore[no-any-return]

    after = pages.read(next_page, ("page", 2))
    assert VICTIMS_NAME not in after and CONTROLS_NAME in after, after
