"""docs/brief.md §10 "Business time from people" (``domain.service.business_time_policy``): its bounds, and a
person's "now" moving to the latest time of what the command acts on, on the in-memory ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.commands import FeedbackMessage, parse_command
from domain.metric import Metric
from domain.promise import Promise
from domain.service.batch import Acting
from domain.service.business_time_policy import refusal
from domain.service.ledger import Ledger
from tests.support.scenario import Scenario

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def command(**fields: Any) -> Any:
    return parse_command(json.dumps(fields))


def test_a_person_is_never_more_than_five_minutes_ahead() -> None:
    counter = {"type": "CounterPropose", "promise": "p", "changes": {"target": 1}}
    assert refusal(command(**counter, at=_iso(NOW + timedelta(minutes=5))), NOW) is None
    ahead = refusal(command(**counter, at=_iso(NOW + timedelta(minutes=5, seconds=1))), NOW)
    assert ahead is not None and ahead.startswith("at: ") and "more than 5 minutes ahead" in ahead
    message = FeedbackMessage.model_validate({"feedback_id": "f", "client": "c", "kind": "praise", "channel": "app",
                                              "text": "t", "occurred_at": "2199-12-31T00:00:00Z"})
    assert (refusal(message, NOW) or "").startswith("occurred_at: ")
    assert refusal(command(**counter), NOW) is None  # no time of its own: the server's now


def test_only_readings_feedback_and_observations_go_back_at_most_ninety_days() -> None:
    reading = {"type": "RecordReading", "metric": "m", "value": 1}
    assert refusal(command(**reading, at=_iso(NOW - timedelta(days=90))), NOW) is None
    assert "more than 90 days" in (refusal(command(**reading, at=_iso(NOW - timedelta(days=90, seconds=1))), NOW)
                                   or "")
    observation = {"type": "RecordObservation", "experiment": "e", "arm": "control", "value": 1}
    assert refusal(command(**observation, at=_iso(NOW - timedelta(days=30))), NOW) is None
    feedback = {"type": "RecordFeedback", "feedback_id": "f", "client": "c", "kind": "praise", "channel": "app",
                "text": "t", "occurred_at": _iso(NOW - timedelta(days=91))}
    assert (refusal(command(**feedback), NOW) or "").startswith("occurred_at: ")
    agree = {"type": "AgreePromise", "promise": "p"}
    assert refusal(command(**agree, at=_iso(NOW - timedelta(minutes=4))), NOW) is None  # clocks differ a little
    back = refusal(command(**agree, at=_iso(NOW - timedelta(minutes=6))), NOW)
    assert back is not None and back.startswith("at: AgreePromise takes the server's now")


def test_a_persons_now_moves_to_the_latest_time_of_what_it_acts_on() -> None:
    ledger = Ledger()
    far = "2199-12-31T00:00:00+00:00"
    setup = (Scenario(at="2026-01-05T00:00:00Z").person("lea").person("rep").team("k").member("lea", "chef", lead=True)
             .client("d").represent("rep").metric("m", owner="k").promise("p", "S", 1, actor="lea")
             .add("CounterPropose", promise="p", changes={"target": 2}, actor="rep", at=far))
    assert not ledger.execute(setup.commands()).rejected
    person = ledger.execute([command(type="AgreePromise", promise="p")], now=NOW, acting=Acting("lea", "api"))
    assert person.accepted == [0]
    promise = ledger.state(Promise, "p")
    assert promise is not None and promise.status == "agreed" and _iso(promise.last_at) == far
    operator = ledger.execute([command(type="RetirePromise", promise="p", reason="r")], now=NOW)
    assert operator.accepted == [] and "cannot go back" in operator.rejected[0][1]  # the import's now is its own
    metric = ledger.state(Metric, "m")
    assert metric is not None and metric.owner == "k"


def test_a_metric_defined_before_owners_existed_has_none() -> None:
    state: dict[str, Any] = {"key": "m", "name": "M", "unit": "u", "direction": "higher_is_better"}
    Metric.Defined.upcast_v1_v2(state)
    assert state["owner"] is None
