"""docs/brief.md §4 and §10: a reading's time defaults to now. Through the API a ``RecordReading`` without ``at`` is
accepted and recorded at max(the server's now, the latest business time of its metric); the operator's import
keeps full control (its line without ``at`` is recorded at the import's now, one with ``at`` at that time).
Through a real server, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.clock import ago
from tests.support.company_server import company_server, post_command
from tests.support.scenario import Scenario
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # a real server

FAR = "2199-12-31T00:00:00Z"


def _company() -> list[dict[str, Any]]:
    """A kitchen led by lena; metric ``wait`` (owned by the kitchen), metric ``later`` defined by the operator at
    2199-12-31; one imported reading of ``wait`` dated, one without a time."""
    scenario = Scenario(at=ago(days=30))
    for person in ("carol", "lena"):
        scenario.person(person)
    scenario.council("carol").team("kitchen").member("lena", "chef", lead=True)
    scenario.metric("wait", owner="kitchen").metric("later", owner="kitchen", at=FAR)
    scenario.add("RecordReading", id="dated", metric="wait", value=4.0, at=ago(days=3))
    scenario.at(None).add("RecordReading", id="undated", metric="wait", value=5.0)
    return scenario.lines()


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("reading-now")
    for store in module_store(request.param, folder):
        with company_server(store, folder, _company(), ["carol", "lena"]) as world:
            yield world


def _readings(served: dict[str, Any]) -> list[dict[str, Any]]:
    with served["server"].client(served["tokens"]["carol"]) as http:
        answer = http.get("/api/audit").json()  # the council reads every event
    return [e for e in answer["events"] if e["aggregate"] == "Reading"]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_reading_without_at_is_recorded_at_now(served: dict[str, Any]) -> None:
    before = datetime.now(UTC)
    answer = post_command(served, "lena", {"type": "RecordReading", "metric": "wait", "value": 6})
    assert answer.status_code == 200 and answer.json()["status"] == "accepted", answer.text
    api = [e for e in _readings(served) if e["channel"] == "api"]
    assert len(api) == 1 and api[0]["actor"] == "lena"
    assert before - timedelta(seconds=1) <= _moment(api[0]["at"]) <= datetime.now(UTC) + timedelta(seconds=1)


def test_a_reading_without_at_follows_its_metric_past_now(served: dict[str, Any]) -> None:
    answer = post_command(served, "lena", {"type": "RecordReading", "metric": "later", "value": 1})
    assert answer.status_code == 200 and answer.json()["status"] == "accepted", answer.text
    assert any(e["at"].startswith("2199-12-31") for e in _readings(served) if e["channel"] == "api")


def test_the_import_keeps_full_control_of_a_readings_time(served: dict[str, Any]) -> None:
    times = sorted(_moment(e["at"]) for e in _readings(served) if e["channel"] in (None, "import"))
    assert len(times) == 2
    assert times[0] < datetime.now(UTC) - timedelta(days=2)  # the dated line, three days back
    assert datetime.now(UTC) - times[1] < timedelta(minutes=10)  # the undated line: the import's now


def test_the_openapi_document_says_at_is_optional(served: dict[str, Any]) -> None:
    with served["server"].client(served["tokens"]["carol"]) as http:
        schema = http.get("/api/openapi.json").json()["components"]["schemas"]["RecordReading"]
    assert "at" in schema["properties"] and "at" not in schema.get("required", [])
