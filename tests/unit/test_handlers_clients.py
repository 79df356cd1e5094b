"""Handlers of ``domain.handlers.clients`` through the ledger on the in-memory store: clients, pains,
value propositions and strategy canvases, and what each refuses."""

from __future__ import annotations

from domain.client import Client
from domain.service.ledger import Ledger
from domain.strategy import StrategyCanvas
from tests.support.ledger import AT, accept, later, reject
from tests.support.scenario import Scenario


def client(ledger: Ledger) -> Client:
    found = ledger.state(Client, "diner")
    assert found is not None
    return found


class TestClients:
    def test_identifies_a_client_and_reveals_its_sealed_name(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).client("diner", "Dana Diner"))
        assert (client(ledger).name, client(ledger).kind) == ("Dana Diner", "external")

    def test_a_client_is_identified_once(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).client("diner"))
        reject(ledger, later("IdentifyClient", client="diner", name="X", kind="internal"),
               "client 'diner' already exists")

    def test_pains_and_value_propositions(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).team("kitchen").client("diner"),
               later("RecordPain", client="diner", pain="cold", description="Cold food"),
               later("DefineValueProposition", proposition="vp", client="diner", team="kitchen",
                     statement="Hot", characteristics=["heated boxes"], pains=["cold"]))
        assert set(client(ledger).pains) == {"cold"} and client(ledger).propositions["vp"]["pains"] == ["cold"]

    def test_a_pain_is_recorded_once_and_a_proposition_names_known_pains(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).client("diner").add("RecordPain", client="diner", pain="cold",
                                                              description="d"))
        reject(ledger, later("RecordPain", client="diner", pain="cold", description="again"),
               "client diner already has pain 'cold'")
        reject(ledger, later("DefineValueProposition", proposition="vp", client="diner", statement="S",
                             characteristics=["c"], pains=["cold", "rude"]), "client diner has no pain(s) rude")
        reject(ledger, later("DefineValueProposition", proposition="vp", client="diner", statement="S",
                             characteristics=["c"], pains=[], team="ghost"), "unknown team 'ghost'")


class TestStrategyCanvas:
    def test_draws_scores_and_chooses_a_factor(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).client("diner"),
               later("DrawStrategyCanvas", canvas="cv", client="diner", factors=["price", "speed"]),
               later("ScoreOffering", canvas="cv", offering="us", ours=True, scores={"price": 3, "speed": 9}),
               later("ScoreOffering", canvas="cv", offering="rival", scores={"price": 8}),
               later("ChooseUniqueFactor", canvas="cv", factor="speed"))
        canvas = ledger.state(StrategyCanvas, "cv")
        assert canvas is not None and (canvas.ours, canvas.unique_factor) == ("us", "speed")
        assert canvas.offerings == {"us": {"price": 3.0, "speed": 9.0}, "rival": {"price": 8.0}}

    def test_what_a_canvas_refuses(self, ledger: Ledger) -> None:
        accept(ledger, *Scenario(at=AT).client("diner"),
               later("DrawStrategyCanvas", canvas="cv", client="diner", factors=["price"]),
               later("ScoreOffering", canvas="cv", offering="us", ours=True, scores={"price": 3}))
        reject(ledger, later("DrawStrategyCanvas", canvas="cv", client="diner", factors=["x"]),
               "canvas 'cv' already exists")
        reject(ledger, later("DrawStrategyCanvas", canvas="cv2", client="diner", factors=["x", "x"]),
               "factors must be distinct")
        reject(ledger, later("DrawStrategyCanvas", canvas="cv2", client="ghost", factors=["x"]),
               "unknown client 'ghost'")
        reject(ledger, later("ScoreOffering", canvas="cv", offering="rival", scores={"fresh": 1}),
               "canvas cv has no factor(s) fresh")
        reject(ledger, later("ScoreOffering", canvas="cv", offering="other", ours=True, scores={"price": 1}),
               "our offering is already 'us'")
        reject(ledger, later("ChooseUniqueFactor", canvas="cv", factor="fresh"), "canvas cv has no factor(s) fresh")
