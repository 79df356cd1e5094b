"""What a client representative's start page reads (``projections.client_side``) and the names pages show for
people (``web.names``): the real ledger and projection runner on an in-memory store, now and as of a past time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections.client_side import client_side
from projections.timeline import FOREVER
from tests.support.scenario import Scenario
from web.names import HIDDEN, Names, people_names

WEEK_1 = date(2026, 1, 5)  # the first Monday after the promise was agreed
VALUES = [80.0, 80.0, *[95.0] * 12, 85.0]  # 15 weeks: two missed, twelve kept, the last missed
AFTER_LAST_WEEK = datetime(2026, 4, 22)  # the Wednesday after: attainment looks at the 13 calendar weeks before


def _feedback(feedback_id: str, client: str, kind: str = "complaint", **fields: object) -> dict[str, object]:
    return {"feedback_id": feedback_id, "client": client, "kind": kind, "channel": "app", "text": f"text {feedback_id}",
            "occurred_at": "2026-02-01T10:00:00Z", "at": "2026-02-01T10:00:00Z", **fields}


SCENARIO = (
    Scenario(at="2026-01-01T00:00:00Z").person("rosa", "Rosa Representative").person("lena", "Lena Lead")
    .team("delivery", "Delivery").client("shop", "The Shop").represent("rosa").client("mall", "The Mall")
    .metric("ontime").promise("p-shop", "On time to the shop", 90, promisee="shop").agreed()
    .promise("p-mall", "On time to the mall", 90, promisee="mall").agreed()
    .promise("p-a-shop", "Still talking", 95, promisee="shop")  # under negotiation: listed after those in force
)
for week, value in enumerate(VALUES):
    SCENARIO.reading(value, at=f"{WEEK_1 + timedelta(weeks=week, days=1)}T12:00:00Z")
for line in (_feedback("fb-open", "shop", team="delivery"), _feedback("fb-done", "shop", team="delivery"),
             _feedback("fb-mall", "mall", team="delivery"), _feedback("fb-praise", "shop", "praise"),
             _feedback("fb-promise", "shop", promise="p-shop")):
    SCENARIO.add("RecordFeedback", **line)
SCENARIO.add("ResolveFeedback", feedback_id="fb-done", resolution="Sorry", at="2026-02-02T00:00:00Z")


@pytest.fixture(scope="module")
def views() -> Iterator[duckdb.DuckDBPyConnection]:
    from projections.runner import ProjectionRunner

    ledger = Ledger.open("memory://")
    con = duckdb.connect(":memory:")
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in SCENARIO.lines()])
        assert result.rejected == [], result.rejected
        ProjectionRunner(ledger.store, con).catch_up(refresh=False)
        yield con
    finally:
        con.close()
        ledger.close()


def test_the_representative_reads_their_clients_promises_and_open_complaints(views: duckdb.DuckDBPyConnection) -> None:
    side = client_side(views, ["shop"], AFTER_LAST_WEEK)
    assert side["clients"] == [{"client": "shop", "name": "The Shop", "kind": "external"}]
    assert side["promise_count"] == 2
    promise, proposal = side["promises"]
    assert (proposal["promise"], proposal["status"], proposal["periods"], proposal["last_period"]) == (
        "p-a-shop", "proposed", 0, None)
    assert promise["promise"] == "p-shop" and promise["promisor_name"] == "Delivery" and promise["status"] == "agreed"
    assert promise["promisee_name"] == "The Shop"
    # how it is doing: the latest completed period missed, 12 kept of the 13 weeks before this one
    assert (promise["last_period"], promise["last_kept"], promise["kept"], promise["periods"]) == (
        str(WEEK_1 + timedelta(weeks=14)), False, 12, 13)
    assert side["complaint_count"] == 2  # not the resolved one, the praise, nor the mall's
    assert {(c["feedback_id"], c["team"], c["team_name"]) for c in side["complaints"]} == {
        ("fb-open", "delivery", "Delivery"), ("fb-promise", "delivery", "Delivery")}  # a promise's team is its promisor
    assert {c["client_name"] for c in side["complaints"]} == {"The Shop"}
    assert [t["team"] for t in side["teams"]] == ["delivery"]


def test_as_of_a_past_time_only_what_was_known_then(views: duckdb.DuckDBPyConnection) -> None:
    side = client_side(views, ["shop"], datetime(2026, 1, 20))
    promise = side["promises"][0]
    assert (promise["last_period"], promise["last_kept"], promise["kept"], promise["periods"]) == (
        str(WEEK_1 + timedelta(weeks=1)), False, 0, 2)
    assert side["complaint_count"] == 0 and side["complaints"] == []


def test_nothing_of_clients_not_asked_for(views: duckdb.DuckDBPyConnection) -> None:
    side = client_side(views, [], FOREVER)
    assert (side["clients"], side["promises"], side["promise_count"], side["complaints"], side["complaint_count"]) == (
        [], [], 0, [], 0)


def test_pages_name_people_by_their_registered_names_read_once(views: duckdb.DuckDBPyConnection) -> None:
    loads: list[int] = []

    def load() -> dict[str, str]:
        loads.append(1)
        return people_names(views)

    names = Names(load, lambda person: True)
    assert names("rosa") == "Rosa Representative" and names("lena") == "Lena Lead"
    assert names("operator") == "operator" and names(None) == ""  # no registered person: the key as it is
    assert loads == [1]
    own = Names(load, lambda person: person == "rosa")  # an external client sees only herself (may_see_person)
    assert own("rosa") == "Rosa Representative" and own("lena") == HIDDEN and own("operator") == "operator"
