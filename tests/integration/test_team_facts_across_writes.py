"""A team answer's kept parts hold across views positions (``team_view``'s ``remember``, as the server keeps them).

Writes dated after the moments asked (every write of "now") leave them kept; a write dated at or before a moment
(the operator's import dates lines as it likes; people backdate readings and feedback) is read again by the parts
that may read it: a reading by the success metric alone (the rest reads no reading), a complaint by all of them.
Every answer equals the one computed whole. The demo's sample company, written through the ledger to a real
SQLite store and projected into a real DuckDB views file, as a server does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from domain.commands import parse_command
from domain.service.answers import AnswerCache
from domain.service.ledger import Ledger
from projections.team_answer import team_view
from projections.views_file import ViewsFile
from scripts.sample_company import sample_company_commands

TEAMS = ("bakery", "home-delivery", "warehouse")
MOMENTS = tuple(datetime(2026, month, day, 12) for month, day in ((1, 20), (2, 14), (3, 1), (3, 20)))


class World:
    def __init__(self, directory: Path) -> None:
        self.ledger = Ledger.open(f"sqlite:///{directory / 'store.db'}")
        self.views = ViewsFile(self.ledger.store, directory / "views.duckdb")
        self.cache = AnswerCache(10_000)
        self.computed: list[Hashable] = []
        self.write(sample_company_commands())

    def write(self, lines: list[dict[str, Any]]) -> None:
        result = self.ledger.execute([parse_command(json.dumps(line)) for line in lines])
        assert not result.rejected and not result.forbidden, result
        self.views.catch_up()

    def remember(self, question: Hashable, compute: Callable[[], Any]) -> Any:
        def counted() -> Any:
            self.computed.append(question)
            return compute()
        return self.cache.answer(question, -1, 0, counted)  # every views position alike, as ``Server.remember``

    def ask(self) -> Counter[str]:
        """Every team as of every moment, kept and whole (which must agree); which parts were read again."""
        before = len(self.computed)
        con = self.views.runner.con
        for team in TEAMS:
            for moment in MOMENTS:
                assert team_view(con, team, moment, remember=self.remember) == team_view(con, team, moment), \
                    (team, moment)
        return Counter(str(question[0]) for question in self.computed[before:])  # type: ignore[index]


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    yield world
    world.views.close()
    world.ledger.close()


def test_writes_after_the_moments_asked_leave_every_part_kept(world: World) -> None:
    assert world.ask() == {"team-facts": 12, "team-complaints": 12, "team-success": 12}
    world.write([
        {"type": "RecordReading", "id": "later-reading", "at": "2026-04-02T07:00:00Z",
         "metric": "ontime-delivery-pct", "value": 50.0},
        {"type": "RecordFeedback", "id": "later-complaint", "at": "2026-04-02T08:00:00Z", "feedback_id": "fb-later",
         "client": "delivery-vans", "kind": "complaint", "channel": "chat", "text": "Late again.",
         "team": "bakery", "occurred_at": "2026-04-02T08:00:00Z"}])
    assert world.ask() == {}


def test_a_backdated_reading_is_read_again_by_the_success_metric_alone(world: World) -> None:
    world.ask()
    world.write([{"type": "RecordReading", "id": "backdated-reading", "at": "2026-02-20T07:00:00Z",
                  "metric": "ontime-delivery-pct", "value": 0.0}])
    again = world.ask()
    assert set(again) == {"team-success"}  # the moments after it, for every team: the facts name every reading
    assert again["team-success"] == 2 * len(TEAMS)


def test_a_backdated_complaint_is_read_again_and_shown(world: World) -> None:
    world.ask()
    world.write([{"type": "RecordFeedback", "id": "backdated-complaint", "at": "2026-02-20T08:00:00Z",
                  "feedback_id": "fb-backdated", "client": "delivery-vans", "kind": "complaint", "channel": "chat",
                  "text": "The crates were mixed up.", "team": "bakery", "occurred_at": "2026-02-20T08:00:00Z"}])
    again = world.ask()
    assert again == {part: 2 * len(TEAMS) for part in ("team-facts", "team-complaints", "team-success")}
    view = team_view(world.views.runner.con, "bakery", MOMENTS[-1], remember=world.remember)
    assert view is not None and "fb-backdated" in [c["feedback_id"] for c in view["open_complaints"]]
