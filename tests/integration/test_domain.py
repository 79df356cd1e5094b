"""Domain invariants through the application service, on both stores.

Every test drives ``Ledger.execute`` with validated commands, exactly as import does, and
checks three things: the offending command is rejected with a message that says why, the
other commands of the batch still land, and nothing of the rejected command reaches the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.base import key_id
from domain.client import Client
from domain.commands import COMMAND_ADAPTER, Command
from domain.experiment import ErrorReview, Experiment, ProcessChange
from domain.feedback import Feedback
from domain.metric import Metric, Reading
from domain.promise import Promise
from domain.service.ledger import BatchResult, Ledger
from domain.strategy import StrategyCanvas
from domain.team import Team
from tests.support.ledger import observations
from tests.support.scenario import Scenario

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def at(hours: float) -> str:
    """A business time ``hours`` after T0, as ISO-8601 text (as it arrives in a JSONL line)."""
    return (T0 + timedelta(hours=hours)).isoformat()


def cmd(type_: str, **fields: Any) -> Command:
    return COMMAND_ADAPTER.validate_python({"type": type_, **fields})


def run(ledger: Ledger, *commands: Command) -> BatchResult:
    return ledger.execute(list(commands))


def count_events(ledger: Ledger) -> int:
    return len(ledger.recorder.select_notifications(None, 1_000_000))


def rejected_reason(result: BatchResult, index: int = 0) -> str:
    reasons = dict(result.rejected)
    assert index in reasons, f"command {index} was not rejected: {result}"
    return reasons[index]


def assert_rejected(ledger: Ledger, command: Command, *fragments: str) -> str:
    """Run one command alone: it must be rejected, name why, and write nothing."""
    before = count_events(ledger)
    result = run(ledger, command)
    assert result.accepted == []
    assert result.events == 0
    reason = rejected_reason(result)
    for fragment in fragments:
        assert fragment in reason, f"{fragment!r} not in {reason!r}"
    assert count_events(ledger) == before
    return reason


def world(ledger: Ledger) -> None:
    """Two teams, a client, two metrics (one each direction)."""
    scenario = (Scenario(at=at(0)).team("delivery", id="w-t1").team("bakery", id="w-t2").client("shopper", id="w-c1")
                .metric("late", name="Late deliveries", unit="%", id="w-m1")
                .metric("nps", name="NPS", unit="points", id="w-m2"))
    result = run(ledger, *scenario.commands())
    assert result.rejected == [] and len(result.accepted) == 5 and result.events == 5


def propose(ledger: Ledger, promise: str = "p1", hours: float = 1, **overrides: Any) -> None:
    fields = {"promise": promise, "promisor": "delivery", "promisee": "shopper", "statement": "On time",
              "metric": "late", "target": 5.0, "period": "week", "at": at(hours), **overrides}
    result = run(ledger, cmd("ProposePromise", id=f"propose-{promise}", **fields))
    assert result.rejected == [], result.rejected


# Metrics and readings ---------------------------------------------------------------


def test_reading_for_an_unknown_metric_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    assert_rejected(ledger, cmd("RecordReading", metric="ghost", value=1.0, at=at(1)), "unknown metric", "'ghost'")
    result = run(ledger, cmd("RecordReading", id="r1", metric="late", value=3.5, at=at(1)))
    assert result.accepted == [0]
    reading = ledger.repository.get(key_id(Reading.KIND, "r1"))
    assert (reading.metric, reading.value) == ("late", 3.5)


def test_second_aggregate_with_the_same_key_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger)
    run(ledger, cmd("ProposeExperiment", experiment="e1", team="delivery", hypothesis="h", metric="late",
                    design="ab", at=at(2)))
    run(ledger, cmd("DrawStrategyCanvas", canvas="cv", client="shopper", factors=["price"], at=at(2)))
    run(ledger, cmd("RecordErrorReview", review="rv", team="delivery", what_happened="x", cause="y", lesson="z",
                    at=at(2)))
    run(ledger, cmd("RecordProcessChange", change="ch", team="delivery", description="d", at=at(2)))
    duplicates = [
        (cmd("FormTeam", team="delivery", name="Another", at=at(3)), "team 'delivery' already exists"),
        (cmd("IdentifyClient", client="shopper", name="Other", kind="internal", at=at(3)),
         "client 'shopper' already exists"),
        (cmd("DefineMetric", metric="late", name="x", unit="u", direction="higher_is_better", at=at(3)),
         "metric 'late' already exists"),
        (cmd("ProposePromise", promise="p1", promisor="bakery", promisee="shopper", statement="s", metric="nps",
             target=1, period="day", at=at(3)), "promise 'p1' already exists"),
        (cmd("ProposeExperiment", experiment="e1", team="delivery", hypothesis="h", metric="late", design="ab",
             at=at(3)), "experiment 'e1' already exists"),
        (cmd("DrawStrategyCanvas", canvas="cv", client="shopper", factors=["speed"], at=at(3)),
         "canvas 'cv' already exists"),
        (cmd("RecordErrorReview", review="rv", team="delivery", what_happened="x", cause="y", lesson="z", at=at(3)),
         "'rv' already exists"),
        (cmd("RecordProcessChange", change="ch", team="delivery", description="d", at=at(3)),
         "'ch' already exists"),
    ]
    for command, message in duplicates:
        assert_rejected(ledger, command, message)
    assert ledger.repository.get(key_id(Team.KIND, "delivery")).name == "Delivery"
    assert ledger.repository.get(key_id(Client.KIND, "shopper")).kind == "external"


def test_duplicate_key_inside_one_batch_is_rejected(ledger: Ledger) -> None:
    result = run(
        ledger,
        cmd("FormTeam", team="t", name="First", at=at(0)),
        cmd("FormTeam", team="t", name="Second", at=at(0)),
    )
    assert result.accepted == [0]
    assert "team 't' already exists" in rejected_reason(result, 1)
    assert result.events == 1
    assert ledger.repository.get(key_id(Team.KIND, "t")).name == "First"


# Promises ---------------------------------------------------------------------------


def test_promise_lifecycle_happy_path(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger)
    result = run(
        ledger,
        cmd("CounterPropose", promise="p1", changes={"target": 7.0}, at=at(2)),
        cmd("CounterPropose", promise="p1", changes={"target": 6.0, "period": "month"}, at=at(3)),
        cmd("AgreePromise", promise="p1", at=at(4)),
        cmd("AmendPromise", promise="p1", changes={"target": 4.0}, reason="better routing", at=at(5)),
        cmd("AmendPromise", promise="p1", changes={"metric": "nps", "promisee": "shopper"}, reason="rescoped",
            at=at(6)),  # the promisee as it is (docs/brief.md §10: another promisee is another promise)
        cmd("RetirePromise", promise="p1", reason="service closed", at=at(7)),
    )
    assert result.rejected == [] and result.events == 6
    promise = ledger.repository.get(key_id(Promise.KIND, "p1"))
    assert (promise.status, promise.version, promise.target, promise.period) == ("retired", 7, 4.0, "month")
    assert (promise.metric, promise.promisee) == ("nps", "shopper")
    # The state as of each business time replays only the events up to it.
    as_of = {3: ("proposed", 6.0), 4: ("agreed", 6.0), 5: ("agreed", 4.0), 7: ("retired", 4.0)}
    for hours, (status, target) in as_of.items():
        state = ledger.state(Promise, "p1", T0 + timedelta(hours=hours))
        assert state is not None and (state.status, state.target) == (status, target)
    assert ledger.state(Promise, "p1", T0 + timedelta(hours=1) - timedelta(microseconds=1)) is None


def test_agreeing_twice_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger)
    assert run(ledger, cmd("AgreePromise", promise="p1", at=at(2))).accepted == [0]
    assert_rejected(ledger, cmd("AgreePromise", promise="p1", at=at(3)), "promise p1 is agreed",
                    "only a proposed promise can be agreed")


def test_agreeing_a_retired_promise_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger)
    assert run(ledger, cmd("RetirePromise", promise="p1", reason="dropped", at=at(2))).accepted == [0]
    assert_rejected(ledger, cmd("AgreePromise", promise="p1", at=at(3)), "promise p1 is retired")


def test_amending_a_promise_never_agreed_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger)
    reason = assert_rejected(
        ledger, cmd("AmendPromise", promise="p1", changes={"target": 3.0}, reason="why", at=at(2)),
        "promise p1 is proposed", "only an agreed promise can be amended",
    )
    assert "CounterPropose" in reason  # the error tells the user what to do instead
    assert ledger.repository.get(key_id(Promise.KIND, "p1")).target == 5.0


def test_amending_or_agreeing_an_unknown_promise_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    for command in (
        cmd("AgreePromise", promise="nope", at=at(1)),
        cmd("AmendPromise", promise="nope", changes={"target": 1.0}, reason="r", at=at(1)),
        cmd("CounterPropose", promise="nope", changes={"target": 1.0}, at=at(1)),
        cmd("RetirePromise", promise="nope", reason="r", at=at(1)),
    ):
        assert_rejected(ledger, command, "unknown promise 'nope'")


def test_counter_proposing_an_agreed_promise_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger)
    run(ledger, cmd("AgreePromise", promise="p1", at=at(2)))
    assert_rejected(ledger, cmd("CounterPropose", promise="p1", changes={"target": 9.0}, at=at(3)),
                    "promise p1 is agreed", "only a proposed promise can be countered")
    assert ledger.repository.get(key_id(Promise.KIND, "p1")).target == 5.0


@pytest.mark.parametrize("agreed", [False, True], ids=["retired-while-proposed", "retired-after-agreement"])
def test_nothing_happens_to_a_promise_after_retirement(ledger: Ledger, agreed: bool) -> None:
    world(ledger)
    propose(ledger)
    if agreed:
        run(ledger, cmd("AgreePromise", promise="p1", at=at(2)))
    assert run(ledger, cmd("RetirePromise", promise="p1", reason="done", at=at(3))).accepted == [0]
    for command in (
        cmd("CounterPropose", promise="p1", changes={"target": 1.0}, at=at(4)),
        cmd("AgreePromise", promise="p1", at=at(4)),
        cmd("AmendPromise", promise="p1", changes={"target": 1.0}, reason="r", at=at(4)),
        cmd("RetirePromise", promise="p1", reason="again", at=at(4)),
    ):
        assert_rejected(ledger, command, "promise p1", "retired")
    promise = ledger.repository.get(key_id(Promise.KIND, "p1"))
    assert promise.status == "retired" and promise.version == (3 if agreed else 2)


def test_promisee_and_references_must_exist(ledger: Ledger) -> None:
    world(ledger)
    base = {"promisor": "delivery", "promisee": "shopper", "statement": "s", "metric": "late", "target": 1.0,
            "period": "day", "at": at(1)}
    cases = [
        ({"promisee": "nobody"}, "unknown promisee 'nobody'"),
        ({"promisor": "ghost-team"}, "unknown team 'ghost-team'"),
        ({"promisor": "shopper"}, "unknown team 'shopper'"),  # a client cannot be a promisor
        ({"metric": "ghost-metric"}, "unknown metric 'ghost-metric'"),
        ({"parent": "ghost-parent"}, "unknown promise 'ghost-parent'"),
    ]
    for override, message in cases:
        assert_rejected(ledger, cmd("ProposePromise", promise="p", **{**base, **override}), message)
    # A team is a valid promisee (an internal promise), and a parent that exists is accepted.
    assert run(ledger, cmd("ProposePromise", promise="parent", **base)).accepted == [0]
    result = run(ledger, cmd("ProposePromise", promise="child", **{**base, "promisee": "bakery",
                                                                   "parent": "parent"}))
    assert result.accepted == [0]
    child = ledger.repository.get(key_id(Promise.KIND, "child"))
    assert (child.promisee, child.parent) == ("bakery", "parent")
    # Changes are checked too (docs/brief.md §10: a counter-proposal never names another promisee at all).
    assert_rejected(ledger, cmd("CounterPropose", promise="child", changes={"promisee": "nobody"}, at=at(2)),
                    "cannot change who the promisee is")
    assert_rejected(ledger, cmd("CounterPropose", promise="child", changes={"metric": "ghost"}, at=at(2)),
                    "unknown metric 'ghost'")


def test_a_team_cannot_promise_to_itself(ledger: Ledger) -> None:
    world(ledger)
    assert_rejected(
        ledger,
        cmd("ProposePromise", promise="self", promisor="delivery", promisee="delivery", statement="s",
            metric="late", target=1.0, period="day", at=at(1)),
        "cannot promise to itself",
    )
    assert ledger.state(Promise, "self") is None
    propose(ledger)
    # docs/brief.md §10: a counter-proposal or amendment never changes who the promisee is (let alone to itself)
    assert_rejected(ledger, cmd("CounterPropose", promise="p1", changes={"promisee": "delivery"}, at=at(2)),
                    "changes.promisee", "cannot change who the promisee is")
    run(ledger, cmd("AgreePromise", promise="p1", at=at(3)))
    assert_rejected(ledger, cmd("AmendPromise", promise="p1", changes={"promisee": "delivery"}, reason="r",
                                at=at(4)), "cannot change who the promisee is")
    assert ledger.repository.get(key_id(Promise.KIND, "p1")).promisee == "shopper"


# Business time -----------------------------------------------------------------------


def test_business_time_cannot_go_back_within_an_aggregate(ledger: Ledger) -> None:
    world(ledger)
    propose(ledger, hours=10)
    reason = assert_rejected(ledger, cmd("AgreePromise", promise="p1", at=at(9)),
                             "business time cannot go back")
    assert at(9)[:19] in reason and at(10)[:19] in reason  # both times are named
    # Exactly the same time is not going back.
    assert run(ledger, cmd("AgreePromise", promise="p1", at=at(10))).accepted == [0]
    # Team, client, feedback and experiment aggregates keep their own clocks too.
    run(ledger, cmd("AddMember", team="delivery", person="ann", role="lead", at=at(20)))
    assert_rejected(ledger, cmd("AddMember", team="delivery", person="bob", role="courier", at=at(19)),
                    "team delivery", "cannot go back")
    run(ledger, cmd("RecordPain", client="shopper", pain="late", description="Late", at=at(20)))
    assert_rejected(ledger, cmd("RecordPain", client="shopper", pain="cold", description="Cold", at=at(19)),
                    "client shopper", "cannot go back")
    run(ledger, cmd("RecordFeedback", feedback_id="f1", client="shopper", kind="complaint", channel="app",
                    text="late", occurred_at=at(20)))
    assert_rejected(ledger, cmd("ResolveFeedback", feedback_id="f1", resolution="sorry", at=at(19)),
                    "cannot go back")


def test_business_time_is_per_aggregate(ledger: Ledger) -> None:
    """An earlier time is fine on another aggregate: only each aggregate's own history is ordered."""
    world(ledger)
    run(ledger, cmd("AddMember", team="delivery", person="ann", role="lead", at=at(50)))
    result = run(ledger, cmd("AddMember", team="bakery", person="bob", role="baker", at=at(1)),
                 cmd("RecordReading", metric="late", value=1.0, at=at(0)))
    assert result.accepted == [0, 1]


def test_a_rejected_command_changes_nothing_in_its_batch(ledger: Ledger) -> None:
    """The rejected command neither writes an event nor moves the aggregate's clock or state."""
    world(ledger)
    result = run(
        ledger,
        cmd("AddMember", team="delivery", person="ann", role="lead", at=at(1)),
        cmd("RemoveMember", team="delivery", person="zoe", at=at(9)),  # not a member: rejected
        cmd("AddMember", team="delivery", person="bob", role="courier", at=at(2)),  # still in time
        cmd("AddMember", team="delivery", person="ann", role="lead", at=at(3)),  # same role again: rejected
        cmd("RemoveMember", team="delivery", person="ann", at=at(4)),
    )
    assert result.accepted == [0, 2, 4]
    assert "zoe is not a member of team delivery" in rejected_reason(result, 1)
    assert "ann is already a member of team delivery as lead" in rejected_reason(result, 3)
    assert result.events == 3
    team = ledger.repository.get(key_id(Team.KIND, "delivery"))
    assert team.members == {"bob": "courier"}
    assert team.version == 4
    assert [type(e).__name__ for e in ledger.history(Team, "delivery")] == [
        "Formed", "MemberAdded", "MemberAdded", "MemberRemoved",
    ]


# Experiments -----------------------------------------------------------------------


def _experiment(ledger: Ledger, key: str, design: str) -> None:
    result = run(ledger, cmd("ProposeExperiment", experiment=key, team="delivery", hypothesis="Bikes are faster",
                             metric="late", design=design, at=at(1)))
    assert result.accepted == [0], result.rejected


def test_experiment_lifecycle(ledger: Ledger) -> None:
    world(ledger)
    _experiment(ledger, "e1", "ab")
    assert_rejected(ledger, cmd("RecordObservation", experiment="e1", arm="control", value=1.0, at=at(2)),
                    "experiment e1 is proposed", "observations need a running one")
    assert_rejected(ledger, cmd("ConcludeExperiment", experiment="e1", decision="adopt", learning="x", at=at(2)),
                    "experiment e1 is proposed", "only a running one can conclude")
    assert run(ledger, cmd("StartExperiment", experiment="e1", at=at(2))).accepted == [0]
    assert_rejected(ledger, cmd("StartExperiment", experiment="e1", at=at(3)), "experiment e1 is running")
    result = run(
        ledger,
        cmd("RecordObservation", experiment="e1", arm="control", value=1.0, at=at(3)),
        cmd("RecordObservation", experiment="e1", arm="treatment", value=2.0, at=at(3)),
        cmd("RecordObservation", experiment="e1", arm="treatment", value=2.5, at=at(3)),
        cmd("ConcludeExperiment", experiment="e1", decision="adopt", learning="bikes win", at=at(4)),
    )
    assert result.accepted == [0, 1, 2, 3]
    assert_rejected(ledger, cmd("ConcludeExperiment", experiment="e1", decision="reject", learning="y", at=at(5)),
                    "experiment e1 is concluded")
    assert_rejected(ledger, cmd("RecordObservation", experiment="e1", arm="control", value=1.0, at=at(5)),
                    "experiment e1 is concluded")
    experiment = ledger.repository.get(key_id(Experiment.KIND, "e1"))
    assert (experiment.status, experiment.decision) == ("concluded", "adopt")
    assert observations(ledger, "e1") == [("control", 1.0, "late", None), ("treatment", 2.0, "late", None),
                                          ("treatment", 2.5, "late", None)]


def test_before_after_experiment_takes_no_observations(ledger: Ledger) -> None:
    world(ledger)
    _experiment(ledger, "ba", "before_after")
    run(ledger, cmd("StartExperiment", experiment="ba", at=at(2)))
    assert_rejected(ledger, cmd("RecordObservation", experiment="ba", arm="treatment", value=1.0, at=at(3)),
                    "experiment ba is before_after", "readings")
    assert run(ledger, cmd("ConcludeExperiment", experiment="ba", decision="iterate", learning="l",
                           at=at(4))).accepted == [0]


def test_experiment_references_must_exist(ledger: Ledger) -> None:
    world(ledger)
    base = {"experiment": "e", "team": "delivery", "hypothesis": "h", "metric": "late", "design": "ab", "at": at(1)}
    assert_rejected(ledger, cmd("ProposeExperiment", **{**base, "team": "ghost"}), "unknown team 'ghost'")
    assert_rejected(ledger, cmd("ProposeExperiment", **{**base, "metric": "ghost"}), "unknown metric 'ghost'")
    assert_rejected(ledger, cmd("ProposeExperiment", **{**base, "promise": "ghost"}), "unknown promise 'ghost'")
    assert_rejected(ledger, cmd("StartExperiment", experiment="ghost", at=at(1)), "unknown experiment 'ghost'")
    assert_rejected(ledger, cmd("RecordProcessChange", change="c", team="delivery", description="d",
                                experiment="ghost", at=at(1)), "unknown experiment 'ghost'")
    assert_rejected(ledger, cmd("RecordProcessChange", change="c", team="delivery", description="d",
                                review="ghost", at=at(1)), "unknown error-review 'ghost'")
    assert_rejected(ledger, cmd("RecordErrorReview", review="r", team="delivery", what_happened="w", cause="c",
                                lesson="l", promise="ghost", at=at(1)), "unknown promise 'ghost'")
    result = run(
        ledger,
        cmd("ProposeExperiment", **base),
        cmd("RecordErrorReview", review="r", team="delivery", what_happened="w", cause="c", lesson="l", at=at(1)),
        cmd("RecordProcessChange", change="c", team="delivery", description="d", experiment="e", review="r",
            at=at(2)),
    )
    assert result.accepted == [0, 1, 2]
    change = ledger.repository.get(key_id(ProcessChange.KIND, "c"))
    assert (change.experiment, change.review) == ("e", "r")
    assert ledger.repository.get(key_id(ErrorReview.KIND, "r")).lesson == "l"


# Feedback ----------------------------------------------------------------------------


def test_resolving_unknown_or_resolved_feedback_is_rejected(ledger: Ledger) -> None:
    world(ledger)
    assert_rejected(ledger, cmd("ResolveFeedback", feedback_id="ghost", resolution="r", at=at(1)),
                    "unknown feedback 'ghost'")
    result = run(
        ledger,
        cmd("RecordFeedback", feedback_id="f1", client="shopper", kind="complaint", channel="app",
            text="Cold soup", rating=2, occurred_at=at(1)),
        cmd("ResolveFeedback", feedback_id="f1", resolution="refunded", at=at(2)),
    )
    assert result.accepted == [0, 1]
    assert_rejected(ledger, cmd("ResolveFeedback", feedback_id="f1", resolution="again", at=at(3)),
                    "feedback f1 is already resolved")
    stored = ledger.repository.get(key_id(Feedback.KIND, "f1"))
    assert stored.resolution.startswith("enc:v1:client:shopper:")  # the answer is the client's personal text
    feedback = ledger.state(Feedback, "f1")
    assert feedback is not None and (feedback.resolution, feedback.rating) == ("refunded", 2.0)


def test_the_same_feedback_id_is_recorded_once(any_ledger: Ledger) -> None:
    ledger = any_ledger  # receipts: held on every store adapter, in memory too
    world(ledger)
    message = {"client": "shopper", "kind": "praise", "channel": "shop", "text": "Nice", "occurred_at": at(1)}
    result = run(ledger, cmd("RecordFeedback", feedback_id="f1", id="line-1", **message),
                 cmd("RecordFeedback", feedback_id="f1", id="line-2", **message))
    assert (result.accepted, result.skipped, result.events) == ([0], [1], 1)
    result = run(ledger, cmd("RecordFeedback", feedback_id="f1", id="line-3", **message))
    assert (result.accepted, result.skipped, result.events) == ([], [0], 0)


# Clients, value propositions, canvases, teams ----------------------------------------------


def test_value_proposition_must_name_known_pains(ledger: Ledger) -> None:
    world(ledger)
    run(ledger, cmd("RecordPain", client="shopper", pain="late", description="Orders arrive late", at=at(1)))
    assert_rejected(ledger, cmd("RecordPain", client="shopper", pain="late", description="again", at=at(2)),
                    "client shopper already has pain 'late'")
    assert_rejected(ledger, cmd("RecordPain", client="ghost", pain="x", description="d", at=at(2)),
                    "unknown client 'ghost'")
    vp = {"proposition": "vp", "client": "shopper", "statement": "Fast", "characteristics": ["speed"], "at": at(2)}
    assert_rejected(ledger, cmd("DefineValueProposition", **vp, pains=["late", "cold", "rude"]),
                    "client shopper has no pain(s) cold, rude")
    assert_rejected(ledger, cmd("DefineValueProposition", **vp, pains=["late"], team="ghost"),
                    "unknown team 'ghost'")
    assert run(ledger, cmd("DefineValueProposition", **vp, pains=["late"], team="delivery")).accepted == [0]
    client = ledger.repository.get(key_id(Client.KIND, "shopper"))
    assert client.propositions["vp"]["pains"] == ["late"]


def test_canvas_scores_only_known_factors(ledger: Ledger) -> None:
    world(ledger)
    assert_rejected(ledger, cmd("DrawStrategyCanvas", canvas="cv", client="ghost", factors=["a"], at=at(1)),
                    "unknown client 'ghost'")
    assert_rejected(ledger, cmd("DrawStrategyCanvas", canvas="cv", client="shopper", factors=["a", "a"], at=at(1)),
                    "factors must be distinct")
    run(ledger, cmd("DrawStrategyCanvas", canvas="cv", client="shopper", factors=["price", "speed"], at=at(1)))
    assert_rejected(ledger, cmd("ScoreOffering", canvas="cv", offering="us", ours=True,
                                scores={"price": 3, "freshness": 9}, at=at(2)), "canvas cv has no factor(s) freshness")
    assert_rejected(ledger, cmd("ScoreOffering", canvas="ghost", offering="us", scores={"price": 3}, at=at(2)),
                    "unknown canvas 'ghost'")
    assert_rejected(ledger, cmd("ChooseUniqueFactor", canvas="cv", factor="freshness", at=at(2)),
                    "canvas cv has no factor(s) freshness")
    result = run(
        ledger,
        cmd("ScoreOffering", canvas="cv", offering="us", ours=True, scores={"price": 3, "speed": 9}, at=at(2)),
        cmd("ScoreOffering", canvas="cv", offering="rival", scores={"price": 8, "speed": 4}, at=at(2)),
        cmd("ScoreOffering", canvas="cv", offering="other", ours=True, scores={"price": 1}, at=at(2)),
        cmd("ChooseUniqueFactor", canvas="cv", factor="speed", at=at(3)),
    )
    assert result.accepted == [0, 1, 3]
    assert "our offering is already 'us'" in rejected_reason(result, 2)
    canvas = ledger.repository.get(key_id(StrategyCanvas.KIND, "cv"))
    assert (canvas.ours, canvas.unique_factor) == ("us", "speed")
    assert canvas.offerings == {"us": {"price": 3.0, "speed": 9.0}, "rival": {"price": 8.0, "speed": 4.0}}


def test_team_commands_need_the_team(ledger: Ledger) -> None:
    world(ledger)
    for command in (
        cmd("AddMember", team="ghost", person="p", role="r", at=at(1)),
        cmd("RemoveMember", team="ghost", person="p", at=at(1)),
        cmd("SetCommunicationRules", team="ghost", rules=["r"], at=at(1)),
        cmd("GrantAuthority", team="ghost", authority="a", description="d", at=at(1)),
        cmd("ChooseRewardScheme", team="ghost", at=at(1)),
        cmd("PostLedgerEntry", team="ghost", period="2026-01", kind="revenue", amount=1.0, at=at(1)),
    ):
        assert_rejected(ledger, command, "unknown team 'ghost'")


def test_reward_scheme_is_versioned_data(ledger: Ledger) -> None:
    world(ledger)
    team = ledger.repository.get(key_id(Team.KIND, "delivery"))
    assert team.reward_scheme["variant"] == "team_net_profit_share" and team.reward_scheme["share"] == 0.20
    assert_rejected(ledger, cmd("ChooseRewardScheme", team="delivery", variant="base_plus_team_bonus", split="hours",
                                at=at(1)), "split by hours needs hours per member")
    result = run(
        ledger,
        cmd("ChooseRewardScheme", team="delivery", share=0.3, at=at(1)),
        cmd("ChooseRewardScheme", team="delivery", variant="base_plus_team_bonus", split="hours",
            hours={"ann": 120.0}, at=at(2)),
    )
    assert result.accepted == [0, 1]
    team = ledger.repository.get(key_id(Team.KIND, "delivery"))
    assert team.reward_scheme_version == 2
    assert team.reward_scheme["variant"] == "base_plus_team_bonus" and team.reward_scheme["hours"] == {"ann": 120.0}
    earlier = ledger.state(Team, "delivery", T0 + timedelta(hours=1))
    assert earlier is not None and earlier.reward_scheme["share"] == 0.3 and earlier.reward_scheme_version == 1


# Audit metadata -----------------------------------------------------------------------


def test_every_event_carries_audit_metadata(ledger: Ledger) -> None:
    """at (business time), actor, reason and correlation (= line id); the event timestamp is the recorded time."""
    before = datetime.now(UTC)
    world(ledger)
    result = run(
        ledger,
        cmd("AddMember", id="line-7", team="delivery", person="ann", role="lead", at="2026-01-05T12:00:00+03:00",
            actor="council", reason="hired"),
        cmd("RecordReading", id="line-8", metric="late", value=2.0, at=at(1), actor="sensor"),
        cmd("ProposePromise", id="line-9", promise="p1", promisor="delivery", promisee="shopper", statement="s",
            metric="late", target=5.0, period="week", at=at(1), actor="ann", reason="client asked"),
        cmd("AgreePromise", id="line-10", promise="p1", at=at(2), actor="shopper"),
    )
    after = datetime.now(UTC)
    assert result.rejected == [] and result.events == 4
    member = ledger.history(Team, "delivery")[-1]
    assert member.audit.at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # +03:00 read as the same instant, in UTC
    assert (member.audit.actor, member.audit.reason, member.audit.correlation) == ("council", "hired", "line-7")
    reading = ledger.history(Reading, "line-8")[0]
    assert (reading.audit.at, reading.audit.actor, reading.audit.reason, reading.audit.correlation) == (
        T0 + timedelta(hours=1), "sensor", None, "line-8")
    proposed, agreed = ledger.history(Promise, "p1")
    assert (proposed.audit.actor, proposed.audit.reason, proposed.audit.correlation) == ("ann", "client asked",
                                                                                          "line-9")
    assert (agreed.audit.at, agreed.audit.actor, agreed.audit.correlation) == (T0 + timedelta(hours=2), "shopper",
                                                                               "line-10")
    # Every event, on every aggregate, has an audit, and its own timestamp is when it was recorded.
    notifications = ledger.recorder.select_notifications(None, 1000)
    assert len(notifications) == 9
    for notification in notifications:
        domain_event = ledger.mapper.to_domain_event(notification)
        assert domain_event.audit.at is not None and domain_event.audit.at.tzinfo is not None
        assert before <= domain_event.timestamp <= after
        assert domain_event.timestamp != domain_event.audit.at
    assert {ledger.mapper.to_domain_event(n).audit.correlation for n in notifications} == {
        "w-t1", "w-t2", "w-c1", "w-m1", "w-m2", "line-7", "line-8", "line-9", "line-10",
    }


def test_business_time_defaults(ledger: Ledger) -> None:
    """Without `at`, business time is now; feedback without `at` happened when it occurred."""
    now = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    result = ledger.execute([
        cmd("FormTeam", team="t", name="T"),
        cmd("IdentifyClient", client="c", name="C", kind="external"),
        cmd("RecordFeedback", feedback_id="f", client="c", kind="complaint", channel="app", text="bad",
            occurred_at="2026-01-31T08:00:00Z"),
        cmd("RecordFeedback", feedback_id="g", client="c", kind="praise", channel="app", text="ok",
            occurred_at="2026-01-31T08:00:00Z", at="2026-01-31T09:00:00Z"),
    ], now=now)
    assert result.accepted == [0, 1, 2, 3]
    assert ledger.history(Team, "t")[0].audit.at == now
    assert ledger.history(Client, "c")[0].audit.at == now
    assert ledger.history(Feedback, "f")[0].audit.at == datetime(2026, 1, 31, 8, 0, tzinfo=UTC)
    assert ledger.history(Feedback, "g")[0].audit.at == datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    team = ledger.history(Team, "t")[0]
    assert team.audit.correlation is None and team.audit.actor is None


def test_ids_make_execution_idempotent(any_ledger: Ledger) -> None:
    ledger = any_ledger  # receipts: held on every store adapter, in memory too
    world(ledger)
    batch = [
        cmd("RecordReading", id="r1", metric="late", value=1.0, at=at(1)),
        cmd("RecordReading", id="r1", metric="late", value=99.0, at=at(1)),  # same id in the same batch
        cmd("PostLedgerEntry", id="l1", team="delivery", period="2026-01", kind="revenue", amount=10.0, at=at(1)),
    ]
    first = ledger.execute(batch)
    assert (first.accepted, first.skipped, first.events) == ([0, 2], [], 2)
    assert [index for index, _ in first.conflicts] == [1]  # its sender's id again, for other content: refused
    events = count_events(ledger)
    again = ledger.execute(batch)
    assert (again.accepted, again.skipped, again.events) == ([], [0, 2], 0)
    assert [index for index, _ in again.conflicts] == [1]
    assert count_events(ledger) == events
    assert ledger.repository.get(key_id(Metric.KIND, "late")).direction == "lower_is_better"
    assert ledger.repository.get(key_id(Reading.KIND, "r1")).value == 1.0


def test_a_rejected_line_id_can_be_retried(any_ledger: Ledger) -> None:
    """Only accepted lines leave a receipt: a line rejected for a missing reference lands once it exists."""
    ledger = any_ledger  # receipts: held on every store adapter, in memory too
    reading = cmd("RecordReading", id="r1", metric="late", value=1.0, at=at(1))
    assert ledger.execute([reading]).rejected
    world(ledger)
    assert ledger.execute([reading]).accepted == [0]
    assert ledger.execute([reading]).skipped == [0]
