"""Step 4's canvases as the views answer them (``projections.canvases``): the real ledger and projection runner
on an in-memory store, read now and as of earlier times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections.canvases import canvases
from projections.runner import ProjectionRunner
from tests.support.scenario import Scenario

LINES = (
    Scenario(at="2026-01-01T00:00:00Z").team("delivery").team("kitchen").client("shop").client("mall")
    .add("DrawStrategyCanvas", canvas="cv-shop", client="shop", team="delivery", factors=["price", "speed", "care"])
    .add("DrawStrategyCanvas", canvas="cv-mall", client="mall", team="kitchen", factors=["taste"])
    .add("ScoreOffering", canvas="cv-shop", offering="rival", scores={"price": 8, "speed": 3, "care": 5})
    .add("ScoreOffering", canvas="cv-shop", offering="us", ours=True, scores={"price": 5, "speed": 9})
    .at("2026-02-01T00:00:00Z")
    .add("ScoreOffering", canvas="cv-shop", offering="rival", scores={"care": 6, "price": 7})  # speed stays 3
    .add("ScoreOffering", canvas="cv-shop", offering="us", scores={"speed": 10})  # still ours
    .add("ChooseUniqueFactor", canvas="cv-shop", factor="speed")
    .at("2026-03-01T00:00:00Z")
    .add("ChooseUniqueFactor", canvas="cv-shop", factor="care")
).lines()


@pytest.fixture(scope="module")
def views() -> Iterator[duckdb.DuckDBPyConnection]:
    ledger = Ledger.open("memory://")
    con = duckdb.connect(":memory:")
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in LINES])
        assert result.rejected == [], result.rejected
        ProjectionRunner(ledger.store, con).catch_up(refresh=False)
        yield con
    finally:
        con.close()
        ledger.close()


def test_a_canvas_now_has_each_factors_latest_score_in_factor_order_and_the_latest_unique_factor(
        views: duckdb.DuckDBPyConnection) -> None:
    (shop,) = canvases(views, None, client="shop")
    assert shop == {
        "canvas": "cv-shop", "client": "shop", "team": "delivery", "factors": ["price", "speed", "care"],
        "offerings": [{"offering": "rival", "ours": False, "scores": {"price": 7.0, "speed": 3.0, "care": 6.0}},
                      {"offering": "us", "ours": True, "scores": {"price": 5.0, "speed": 10.0}}],
        "offerings_count": 2, "unique_factor": "care",
    }
    assert [c["canvas"] for c in canvases(views, None)] == ["cv-shop", "cv-mall"]  # in the order drawn
    assert [c["canvas"] for c in canvases(views, None, team="kitchen")] == ["cv-mall"]
    assert canvases(views, None, team="nobody") == []


def test_as_of_an_earlier_time_the_canvas_is_as_it_was_then(views: duckdb.DuckDBPyConnection) -> None:
    (january,) = canvases(views, datetime(2026, 1, 15), team="delivery")
    assert january["offerings"][0]["scores"] == {"price": 8.0, "speed": 3.0, "care": 5.0}
    assert january["unique_factor"] is None
    assert canvases(views, datetime(2026, 2, 15), team="delivery")[0]["unique_factor"] == "speed"
    assert canvases(views, datetime(2025, 12, 31)) == []
