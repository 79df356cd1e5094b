"""docs/brief.md §10: the start page's "awaiting your answer" (``projections.awaiting``, SQL over the views) lists a
proposal for a person exactly when the permission table (``domain.sides.consenting_sides``) lets them agree to it,
in the corners the page's own test does not reach: a key that names both a team and a client (the domain takes the
client), a council member who represents a client, a client nobody represents."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.batch import Acting
from domain.service.command_batch import decide_batch
from domain.service.ledger import Ledger
from projections.awaiting import awaiting_answer
from projections.projection_runner import ProjectionRunner
from tests.support.scenario import Scenario

TERMS = {"statement": "Soup at noon", "metric": "ontime", "target": 90, "period": "week"}


def _company() -> Scenario:
    scenario = Scenario()
    for person in ("kate", "lee", "rep", "carol", "bob"):
        scenario.person(person)
    (scenario.council("carol").team("kitchen").member("kate", "chef", lead=True)
     .team("acme").member("lee", "boss", lead=True).team("garden").member("bob", "gardener", lead=True)
     .client("acme").represent("rep", "acme").client("diner").represent("carol", "diner").client("walkin")
     .metric("ontime"))
    for promise, promisee in (("to-acme", "acme"), ("to-diner", "diner"), ("to-walkin", "walkin"),
                              ("to-garden", "garden")):
        scenario.add("ProposePromise", promise=promise, promisor="kitchen", promisee=promisee, actor="kate", **TERMS)
    return scenario


@pytest.fixture(scope="module")
def ledger_and_views() -> tuple[Ledger, duckdb.DuckDBPyConnection]:
    ledger = Ledger.open("memory://")
    result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in _company().lines()])
    assert not result.rejected and not result.forbidden, result
    con = duckdb.connect(":memory:")
    ProjectionRunner(ledger.store, con).catch_up(refresh=False)
    return ledger, con


def _may_agree(ledger: Ledger, person: str, promise: str) -> bool:
    command = COMMAND_ADAPTER.validate_python({"type": "AgreePromise", "promise": promise})
    result, _ = decide_batch(ledger.store, ledger.repository, [command], datetime.now(UTC), Acting(person, "web"),
                             False)
    return not result.forbidden


@pytest.mark.parametrize("person, expected", [
    ("lee", []),  # leads the team "acme", but "acme" the promisee is the client: its representative answers
    ("rep", ["to-acme"]),
    ("carol", ["to-diner"]),  # on the council, and the diner's representative
    ("kate", ["to-walkin"]),  # the promisor's lead, for the client nobody represents (her own side consented)
    ("bob", ["to-garden"]),
])
def test_awaiting_is_what_the_permission_table_lets_each_person_agree_to(
        ledger_and_views: tuple[Ledger, duckdb.DuckDBPyConnection], person: str, expected: list[str]) -> None:
    ledger, con = ledger_and_views
    total, rows = awaiting_answer(con, person, datetime.now(UTC).replace(tzinfo=None), 50)
    listed = [row["promise"] for row in rows]
    allowed = [p for p in ("to-acme", "to-diner", "to-walkin", "to-garden") if _may_agree(ledger, person, p)]
    assert listed == allowed == expected
    assert total == len(expected)
