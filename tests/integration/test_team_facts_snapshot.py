"""A kept team answer is read at the position it is kept under, although the catch-up commits pages between a
reader's statements (``projections.snapshot``): a page committed while an as-of answer is read, with an event
dated after a moment asked later, is never answered as of that moment.

The demo's sample company on a real DuckDB views file; the page is committed by another cursor of the file, as
the server's catch-up thread does, and the server's position moves only after the commit, as ``LiveViews``'s.
Asked next: a reader whose snapshot began before the page, and one after it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.service.answers import AnswerCache
from projections import derived
from projections import team_answer as ta
from projections.snapshot import snapshot
from projections.view_store import connect
from scripts.sample_company import sample_company_commands
from tests.support.views import projected_views

NEWCOMER = "zz-newcomer"


@pytest.fixture()
def con(tmp_path: Path) -> Any:
    views = projected_views(sample_company_commands(), "sqlite", tmp_path)
    connection = connect(views)
    derived.install(connection)
    yield connection
    connection.close()


def commit_a_page(catch_up: duckdb.DuckDBPyConnection, business_at: Any) -> int:
    """What a committed page does: an event (the newcomer joining the warehouse) and the new views position."""
    (position,) = catch_up.execute("SELECT max(position) + 1 FROM event_log").fetchone() or (0,)
    catch_up.execute("BEGIN")
    catch_up.execute("INSERT INTO event_log SELECT * REPLACE ($p AS position, $at AS business_at) FROM event_log"
                     " WHERE aggregate_type = 'Team' AND event = 'MemberAdded' LIMIT 1",
                     {"p": position, "at": business_at})
    catch_up.execute("INSERT INTO team_membership SELECT * REPLACE ($p AS position, $at AS business_at,"
                     " $person AS person, 'added' AS change, false AS lead) FROM team_membership"
                     " WHERE team = 'warehouse' LIMIT 1", {"p": position, "at": business_at, "person": NEWCOMER})
    catch_up.execute("UPDATE projection_tracking SET position = ? WHERE name = 'ledger'", [position])
    catch_up.execute("COMMIT")
    return int(position)


def test_a_page_committed_while_an_as_of_answer_is_read_is_not_answered_as_of_before_it(
        con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    (before,) = con.execute("SELECT max(business_at) FROM event_log").fetchone() or (None,)
    early, joined, late = (before + timedelta(seconds=s) for s in (1, 5, 8))
    start = int(con.execute("SELECT max(position) FROM event_log").fetchone()[0])  # type: ignore[index]
    position = {"p": start}
    real = ta.facts_as_of
    catch_up = con.cursor()

    def then_a_page_commits(reader: duckdb.DuckDBPyConnection, as_of: Any) -> Any:
        found = real(reader, as_of)
        if position["p"] == start:  # once, after the first reader read what it keeps the facts under
            position["p"] = commit_a_page(catch_up, joined)  # the server's position moves after the commit
        return found

    cache = AnswerCache(100)

    def remember(question: Hashable, compute: Callable[[], Any]) -> Any:  # as ``Server.remember``
        return cache.answer(question, position["p"], 0, compute)

    monkeypatch.setattr(ta, "facts_as_of", then_a_page_commits)

    with ExitStack() as stack:  # another reader, whose snapshot began before the page
        reader = con.cursor()
        stack.enter_context(snapshot(reader))
        reader.execute("SELECT count(*) FROM event_log").fetchone()
        ta.team_view(con, "warehouse", late, remember=remember)
        assert position["p"] > start  # the page was committed while the answer was read
        kept = ta.team_view(reader, "warehouse", early, remember=remember)
        assert kept is not None and NEWCOMER not in [m["person"] for m in kept["members"]]
        assert kept == ta.team_view(reader, "warehouse", early)
    kept = ta.team_view(con, "warehouse", early, remember=remember)
    whole = ta.team_view(con, "warehouse", early)
    assert kept is not None and whole is not None
    assert NEWCOMER not in [m["person"] for m in kept["members"]]
    assert kept == whole
    # and the page is there for every moment after the newcomer joined
    now = ta.team_view(con, "warehouse", late, remember=remember)
    assert now is not None and NEWCOMER in [m["person"] for m in now["members"]]
    catch_up.close()
