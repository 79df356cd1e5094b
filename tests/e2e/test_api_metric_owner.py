"""docs/brief.md §10 "Readings": a metric's readings come from the team that owns it, through a real server on
SQLite and on PostgreSQL. Issue 17 item 2: a lead of another team, refused readings on a team's metric, proposed
a sham promise on it and then rewrote that team's past week with backdated readings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.company_server import company_server, post_command
from tests.support.scenario import Scenario
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # a real server

NOW = datetime.now(UTC).replace(microsecond=0)
PEOPLE = ("carol", "bob", "bea", "al", "outsider")


def days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat().replace("+00:00", "Z")


def _company() -> list[dict[str, Any]]:
    """Team bakery owns metric ``ready`` and promises it to a client; team alpha is another team; ``loose``
    has no owner. The bakery recorded a reading a day for the past ten days."""
    scenario = Scenario(at=days_ago(30))
    for person in PEOPLE:
        scenario.person(person)
    scenario.council("carol").team("bakery").member("bob", "baker", lead=True).member("bea", "baker")
    scenario.team("alpha").member("al", "lead", lead=True).client("shop")
    scenario.metric("ready", owner="bakery").metric("loose")
    scenario.promise("p-bread", "Bread by 7", 90, promisor="bakery", metric="ready").agreed(actor="bob")
    for day in range(10, 0, -1):
        scenario.reading(94 + day % 3, metric="ready", at=days_ago(day), actor="bea")
    return scenario.lines()


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("metric-owner")
    for store in module_store(request.param, folder):
        with company_server(store, folder, _company(), PEOPLE) as world:
            yield world


post = post_command


def promise(served: dict[str, Any], key: str) -> dict[str, Any]:
    with served["server"].client(served["tokens"]["carol"]) as http:
        answer = http.get(f"/api/promises/{key}")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_sham_promise_gives_no_right_to_another_teams_readings(served: dict[str, Any]) -> None:
    before = promise(served, "p-bread")
    assert any(row["value"] is not None for row in before["compliance"])
    reading = {"type": "RecordReading", "metric": "ready", "value": 10}
    refused = post(served, "al", {**reading, "at": days_ago(3)})
    assert refused.status_code == 403, refused.text
    assert refused.json()["rule"].startswith("RecordReading: members of the metric's owner team")
    # a promise on another team's metric is fine: it measures it ...
    sham = {"type": "ProposePromise", "promise": "p-sham", "promisor": "alpha", "promisee": "shop",
            "statement": "Sham", "metric": "ready", "target": 1, "period": "week"}
    assert post(served, "al", sham).status_code == 200
    # ... and gives no right to its readings, backdated or not
    for day in (6, 5, 4, 3, 2, 1):
        answer = post(served, "al", {**reading, "at": days_ago(day)})
        assert answer.status_code == 403, answer.text
    assert post(served, "al", {**reading, "at": days_ago(0)}).status_code == 403
    assert promise(served, "p-bread")["compliance"] == before["compliance"]  # the bakery's history is its own
    # the owner team's members and the council still record readings
    for person in ("bea", "bob", "carol"):
        answer = post(served, person, {**reading, "value": 95, "at": days_ago(0.5)})
        assert answer.status_code == 200, (person, answer.text)


def test_without_an_owner_a_promise_in_force_on_the_metric_lets_its_team_read(served: dict[str, Any]) -> None:
    reading = {"type": "RecordReading", "metric": "loose", "value": 3, "at": days_ago(1)}
    assert post(served, "al", reading).status_code == 403
    assert post(served, "al", {"type": "ProposePromise", "promise": "p-loose", "promisor": "alpha",
                               "promisee": "shop", "statement": "S", "metric": "loose", "target": 1,
                               "period": "week"}).status_code == 200
    assert post(served, "al", reading).status_code == 403  # a sham proposal nobody agreed to gives no readings
    assert post(served, "al", {"type": "AgreePromise", "promise": "p-loose"}).status_code == 200  # shop: unrepresented
    assert post(served, "al", reading).status_code == 200  # docs/brief.md §5's rule stays, for a promise in force


def test_a_member_names_only_their_own_team_as_owner(served: dict[str, Any]) -> None:
    def define(person: str, metric: str, owner: str | None) -> Any:
        command = {"type": "DefineMetric", "metric": metric, "name": "M", "unit": "u",
                   "direction": "higher_is_better", **({"owner": owner} if owner else {})}
        return post(served, person, command)

    refused = define("al", "m-al-bakery", "bakery")
    assert refused.status_code == 403, refused.text
    assert refused.json()["rule"] == "DefineMetric: any team member (as owner, only their own team), council"
    assert define("outsider", "m-outsider", None).status_code == 403
    assert define("al", "m-al", "alpha").status_code == 200
    assert define("al", "m-free", None).status_code == 200
    assert define("carol", "m-council", "bakery").status_code == 200  # the council names any team
    unknown = define("carol", "m-nobody", "no-such-team")
    assert unknown.status_code == 422 and "no-such-team" in unknown.json()["error"]
    # the owner's members record its readings; another team's member does not
    reading = {"type": "RecordReading", "metric": "m-al", "value": 1}  # at: now
    assert post(served, "bea", reading).status_code == 403
    assert post(served, "al", reading).status_code == 200
    assert post(served, "bea", {**reading, "metric": "m-council"}).status_code == 200
