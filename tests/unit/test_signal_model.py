"""docs/brief.md §9: a signal's id is its episode's, severity is its kind's, and the active set at a time is
what was raised by then and not yet cleared, as the reader may see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.read_policy import Viewer
from projections.signals.active import signals_as_of
from projections.signals.model import Signal, severity_of, signal_id

T0 = datetime(2026, 3, 2, 9)


def _signal(kind: str = "promise_missed", key: str = "p1", episode: str = "2026-03-02", team: str | None = "kitchen",
            client: str | None = None, raised: datetime = T0, cleared: datetime | None = None) -> Signal:
    return Signal(kind, "promise", key, episode, team, client, raised, {"target": 95.0}, f"/promises/{key}", cleared)


def test_the_same_episode_has_the_same_id_and_another_episode_another() -> None:
    assert _signal().id == _signal(raised=datetime(2026, 3, 3)).id == signal_id("promise_missed", "promise", "p1",
                                                                              "2026-03-02")
    assert _signal().id != _signal(episode="2026-03-09").id != _signal(key="p2").id
    assert _signal().id.startswith("sig_")


def test_severities_follow_the_brief() -> None:
    assert [severity_of(k) for k in ("complaint_overdue", "promise_missed", "promise_budget_exhausted",
                                     "experiment_guardrail_harmed")] == ["critical"] * 4
    assert severity_of("experiment_ready") == "info"
    assert severity_of("client_voice_shift") == severity_of("negotiation_waiting") == "warning"


def test_the_json_names_the_subject_and_the_link_under_the_public_url() -> None:
    body = _signal(cleared=datetime(2026, 3, 9)).as_json("https://ledger.example/")
    assert body["subject"] == {"type": "promise", "key": "p1"}
    assert body["url"] == "https://ledger.example/promises/p1"
    assert body["raised_at"] == "2026-03-02T09:00:00+00:00" and body["cleared_at"] == "2026-03-09T00:00:00+00:00"
    assert "cleared_at" not in _signal().as_json()


def test_active_signals_are_those_raised_and_not_cleared_that_the_reader_may_see() -> None:
    found = [_signal(key="kept-raised"), _signal(key="cleared", cleared=datetime(2026, 3, 5)),
             _signal(key="later", raised=datetime(2026, 4, 1)), _signal(key="bakery", team="bakery"),
             _signal(key="client", team=None, client="households")]

    def source(con: Any, as_of: datetime) -> list[Signal]:
        return found

    at = datetime(2026, 3, 10)
    council = Viewer("ann", council=True)
    keys = [s.subject_key for s in signals_as_of(None, at, council, sources=[source])]  # type: ignore[arg-type]
    assert sorted(keys) == ["bakery", "client", "kept-raised"]
    everything = signals_as_of(None, at, council, include_cleared=True, sources=[source])  # type: ignore[arg-type]
    assert sorted(s.subject_key for s in everything) == ["bakery", "cleared", "client", "kept-raised"]
    cook = Viewer("cook", teams=frozenset({"kitchen"}))
    assert [s.subject_key for s in signals_as_of(None, at, cook, sources=[source])] == ["kept-raised"]  # type: ignore[arg-type]
    rep = Viewer("rosa", clients=frozenset({"households"}))
    assert [s.subject_key for s in signals_as_of(None, at, rep, sources=[source])] == ["client"]  # type: ignore[arg-type]
    assert [s.subject_key for s in signals_as_of(None, at, council, team="bakery", sources=[source])] == ["bakery"]  # type: ignore[arg-type]
