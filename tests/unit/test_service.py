"""The service layer's own rules, on the in-memory store: the one retry policy, the views rule, the answer
cache, commands as a person, forgetting, verifying and tokens."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from domain.commands import FeedbackMessage, parse_command
from domain.feedback import Feedback
from domain.service.acting import post_feedback, run_commands
from domain.service.answers import MISS, AnswerCache
from domain.service.forget import NotCouncil, UnknownSubject, forget_as
from domain.service.ledger import Ledger
from domain.service.retry import ClockRace, RetryPolicy, is_write_conflict
from domain.service.tokens import AuthenticationFailed, Principal, authenticate, issue_token, revoke_token
from domain.service.verify import verify
from domain.service.views import caught_up
from domain.team import Team

NO_PAUSE = RetryPolicy(attempts=4, first_delay=0.0)
SETUP = [{"type": "RegisterPerson", "person": "carol", "name": "Carol"}, {"type": "AppointCouncil", "person": "carol"},
         {"type": "RegisterPerson", "person": "dan", "name": "Dan"}]


def busy() -> OperationalError:
    """SQLite's "database is locked", as the library wraps it."""
    cause = sqlite3.OperationalError("database is locked")
    cause.sqlite_errorname = "SQLITE_BUSY"  # type: ignore[attr-defined]
    error = OperationalError("database is locked")
    error.__cause__ = cause
    return error


def test_a_write_conflict_is_tried_again_within_one_budget() -> None:
    calls: list[bool] = []

    def attempt(last: bool) -> str:
        calls.append(last)
        if len(calls) < 3:
            raise busy()
        return "committed"

    assert NO_PAUSE.run(attempt) == "committed"
    assert calls == [False, False, False]


def test_the_last_conflict_surfaces_when_the_budget_is_spent() -> None:
    calls: list[bool] = []

    def attempt(last: bool) -> None:
        calls.append(last)
        raise IntegrityError("a tracking row clashed")  # the library's bare clash: a conflict

    with pytest.raises(IntegrityError):
        NO_PAUSE.run(attempt)
    assert calls == [False, False, False, True]


def test_an_error_that_is_no_conflict_surfaces_at_once() -> None:
    calls: list[bool] = []

    def attempt(last: bool) -> None:
        calls.append(last)
        raise OperationalError("no such table: stored_events")

    with pytest.raises(OperationalError):
        NO_PAUSE.run(attempt)
    assert calls == [False] and not is_write_conflict(OperationalError("no such table"))


def test_a_clock_race_shares_the_budget_and_the_last_try_decides_it() -> None:
    calls: list[bool] = []

    def attempt(last: bool) -> str:
        calls.append(last)
        if not last:
            raise ClockRace if len(calls) % 2 else busy()
        return "decided"

    assert NO_PAUSE.run(attempt) == "decided"
    assert calls == [False, False, False, True]  # races of both kinds count against one budget of 4


def test_pauses_grow_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(attempts=16, first_delay=0.01, max_delay=0.05)
    for number in range(16):
        assert 0 <= policy.pause(number) <= min(0.05, 0.01 * 2**number)


@dataclass
class ViewsFake:
    """A views port over a list: ``forgotten`` says the next catch-up meets a forget."""

    forgotten: bool = False
    calls: list[str] = field(default_factory=list)

    def catch_up(self) -> tuple[str, bool]:
        self.calls.append("catch_up")
        return "caught up", self.forgotten

    def rebuild(self) -> str:
        self.calls.append("rebuild")
        return "rebuilt"


def test_views_are_rebuilt_only_after_a_forget_reached_them() -> None:
    plain, forgetting = ViewsFake(), ViewsFake(forgotten=True)
    assert caught_up(plain) == "caught up" and plain.calls == ["catch_up"]
    assert caught_up(forgetting) == "rebuilt" and forgetting.calls == ["catch_up", "rebuild"]


def test_answers_are_kept_per_position_and_dropped_with_a_rebuilt_file() -> None:
    cache = AnswerCache(size=2)
    computed: list[str] = []

    def compute(value: str) -> Any:
        return lambda: computed.append(value) or value

    assert cache.answer("team k", 5, 0, compute("a")) == "a"
    assert cache.answer("team k", 5, 0, compute("b")) == "a"  # cached
    assert cache.answer("team k", 6, 0, compute("c")) == "c"  # a new position: a new answer
    assert cache.get("team k", 5, 1) is MISS  # a rebuilt file (generation 1) forgets every answer before it
    cache.put("x", 1, 1, "x1")
    cache.put("y", 1, 1, "y1")
    cache.get("x", 1, 1)
    cache.put("z", 1, 1, "z1")  # the least recently used (y) goes
    assert cache.get("y", 1, 1) is MISS and cache.get("x", 1, 1) == "x1"
    assert computed == ["a", "c"]


def test_concurrent_misses_of_one_answer_wait_for_one_computation() -> None:
    """16 clients asking for the same answer in the same second (a new clock key) compute it once, not 16 times:
    the computation holds until every asker has called (or, with single flight, a moment has passed)."""
    cache, askers = AnswerCache(size=4), 16
    computations: list[int] = []
    everyone_computing = threading.Event()

    def compute() -> str:
        computations.append(1)
        if len(computations) == askers:
            everyone_computing.set()
        everyone_computing.wait(timeout=1.0)  # without single flight, every asker gets here and frees the others
        return "team k at 12:00:01"

    with ThreadPoolExecutor(askers) as pool:
        answers = list(pool.map(lambda _: cache.answer(("team", "k", 1765022401), 7, 0, compute), range(askers)))
    assert answers == ["team k at 12:00:01"] * askers
    assert len(computations) == 1


def test_a_failed_computation_caches_nothing_and_the_next_asker_computes_anew() -> None:
    cache = AnswerCache(size=4)

    def failing() -> str:
        raise RuntimeError("views unavailable")

    with pytest.raises(RuntimeError, match="views unavailable"):
        cache.answer("q", 1, 0, failing)
    assert cache.get("q", 1, 0) is MISS
    assert cache.answer("q", 1, 0, lambda: "later") == "later"  # no computation left in flight to wait for


@pytest.fixture()
def ledger() -> Iterator[Ledger]:
    ledger = Ledger.open("memory://")
    early = run_commands(ledger, Principal("carol", "write", "t0"), [SETUP[2]], "api")
    assert [r.status for r in early.results] == ["forbidden"]  # nobody is on the council yet
    assert not ledger.execute([parse_command(json.dumps(line)) for line in SETUP]).rejected  # the operator
    try:
        yield ledger
    finally:
        ledger.close()


def test_commands_from_a_person_are_scoped_judged_and_recorded_as_theirs(ledger: Ledger) -> None:
    carol, reader = Principal("carol", "write", "t1"), Principal("carol", "read", "t2")
    run = run_commands(ledger, carol, [{"type": "FormTeam", "team": "k", "name": "Kitchen", "id": "k-1"},
                                       {"type": "FormTeam", "team": "j", "name": "J", "actor": "dan"}, 7], "api")
    assert [(r.status, r.events) for r in run.results] == [("accepted", 1), ("rejected", 0), ("rejected", 0)]
    assert "actor: not allowed" in (run.results[1].reason or "") and run.position is not None
    assert [r.status for r in run_commands(ledger, carol, [{"type": "FormTeam", "team": "k", "name": "Kitchen",
                                                           "id": "k-1"}], "api").results] == ["skipped"]
    (clash,) = run_commands(ledger, carol, [{"type": "FormTeam", "team": "k", "name": "K", "id": "k-1"}], "api").results
    assert (clash.status, clash.reason) == ("conflict", "id_conflict: id 'k-1' was already used for different "
                                            "content; send it under a new key")
    (refused,) = run_commands(ledger, reader, [{"type": "FormTeam", "team": "r", "name": "R"}], "api").results
    assert (refused.status, refused.rule) == ("forbidden", "scope: a read token may only read")
    (team_event,) = ledger.history(Team, "k")
    assert (team_event.audit.actor, team_event.audit.channel) == ("carol", "api")


def test_a_whole_batch_is_recorded_all_or_nothing(ledger: Ledger) -> None:
    carol = Principal("carol", "write", "t4")
    kitchen, bakery = ({"type": "FormTeam", "team": k, "name": k.title()} for k in ("kitchen", "bakery"))
    before = ledger.store.max_notification_id()
    for bad in ({"type": "FormTeam", "team": "kitchen", "name": "Again"},  # refused by the handler
                {"type": "FormTeam", "team": "x"}):  # refused at the edge
        run = run_commands(ledger, carol, [kitchen, bad, bakery], "web", whole=True)
        assert [r.status for r in run.results] == ["withheld", "rejected", "withheld"], run
        assert run.position is None and ledger.store.max_notification_id() == before
    run = run_commands(ledger, carol, [kitchen, bakery], "web", whole=True)
    assert [r.status for r in run.results] == ["accepted", "accepted"] and run.position is not None


def test_only_the_council_forgets_and_the_views_are_rebuilt(ledger: Ledger) -> None:
    views = ViewsFake()
    with pytest.raises(NotCouncil):
        forget_as(ledger, "dan", "person", "carol", "ticket 1", views=views)
    with pytest.raises(UnknownSubject):
        forget_as(ledger, "carol", "client", "nobody", "ticket 2", views=views)
    result = forget_as(ledger, "carol", "person", "dan", "ticket 3", views=views)
    assert result.key_destroyed and result.erasure == "person:dan" and views.calls == ["rebuild"]
    assert verify(ledger).ok  # the chain covers the ciphertext, which does not change


@dataclass(frozen=True)
class Audit:
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok}


def test_the_verdict_needs_the_chain_and_the_views(ledger: Ledger) -> None:
    assert verify(ledger).to_dict()["ok"] is True and "views" not in verify(ledger).to_dict()
    differing = verify(ledger, lambda store: Audit(ok=False))
    assert not differing.ok and differing.store.ok and differing.to_dict()["views"] == {"ok": False}


def test_a_token_authenticates_until_it_is_revoked(ledger: Ledger) -> None:
    issued = issue_token(ledger, "dan", "read")
    assert authenticate(ledger, issued.token) == Principal("dan", "read", issued.token_id)
    revoke_token(ledger, issued.token_id)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        authenticate(ledger, issued.token)


def test_feedback_posted_by_a_person_is_recorded_once_as_theirs(ledger: Ledger) -> None:
    assert not ledger.execute([parse_command(json.dumps(
        {"type": "IdentifyClient", "client": "diner", "name": "Diner", "kind": "external"}))]).rejected
    message = FeedbackMessage.model_validate({"feedback_id": "f-1", "client": "diner", "kind": "complaint",
                                              "channel": "email", "text": "cold soup",
                                              "occurred_at": "2026-01-05T12:00:00Z"})
    ingester = Principal("dan", "ingest", "t3")
    first = post_feedback(ledger, ingester, message, "api")
    again = post_feedback(ledger, ingester, message, "api")
    assert (first.recorded, first.duplicates, again.recorded, again.duplicates) == (1, 0, 0, 1)
    (recorded,) = ledger.history(Feedback, "f-1")
    assert (recorded.audit.actor, recorded.audit.channel) == ("dan", "api")
