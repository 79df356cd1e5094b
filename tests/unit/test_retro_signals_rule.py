"""docs/brief.md §9 in a retrospective: a person sees the signals of their own teams and of the clients they
represent; anyone else who may read the team's retrospective (every member of the company) gets it without the
team's signals, as ``/api/signals`` would give them none."""

from __future__ import annotations

from typing import Any

from domain.read_policy import Viewer
from projections.read_rules import retro_answer


def _retro() -> dict[str, Any]:
    return {"team": "delivery", "economics": [], "signals": [
        {"id": "sig_a", "kind": "promise_missed", "team": "delivery", "client": None, "teams": ["delivery", "hall"]},
        {"id": "sig_b", "kind": "client_voice_shift", "team": None, "client": "shop", "teams": ["delivery"]},
    ]}


def test_the_team_and_the_council_see_every_signal() -> None:
    assert [s["id"] for s in retro_answer(Viewer("lena", teams=frozenset({"delivery"})), _retro())["signals"]] == [
        "sig_a", "sig_b"]
    assert retro_answer(Viewer("cora", council=True), _retro()) == _retro()


def test_the_promisee_team_sees_the_signal_of_a_promise_made_to_it() -> None:
    assert [s["id"] for s in retro_answer(Viewer("maitre", teams=frozenset({"hall"})), _retro())["signals"]] == [
        "sig_a"]


def test_another_team_sees_only_the_signals_of_clients_it_represents() -> None:
    assert retro_answer(Viewer("kim", teams=frozenset({"kitchen"})), _retro())["signals"] == []
    sam = Viewer("sam", teams=frozenset({"kitchen"}), clients=frozenset({"shop"}))
    assert [s["id"] for s in retro_answer(sam, _retro())["signals"]] == ["sig_b"]
