"""Handlers of ``domain.handlers.experiments`` through the ledger on the in-memory store: an experiment's
life (proposed, running, concluded), its data, and the error reviews and process changes of step 9."""

from __future__ import annotations

from typing import Any

import pytest

from domain.experiment import ErrorReview, Experiment, ProcessChange
from domain.service.ledger import Ledger
from tests.support.ledger import AT, LATER, accept, observations, reject
from tests.support.scenario import Scenario


def on(type_: str, **fields: Any) -> dict[str, Any]:
    """A command on experiment "x", after the preamble."""
    return {"type": type_, "experiment": "x", "at": LATER, **fields}


def proposed(design: str = "ab", **fields: Any) -> Scenario:
    return (Scenario(at=AT).team("kitchen").metric("wait").metric("spend")
            .add("ProposeExperiment", experiment="x", team="kitchen", hypothesis="Bikes are faster", metric="wait",
                 design=design, **fields))


def experiment(ledger: Ledger) -> Experiment:
    found = ledger.state(Experiment, "x")
    assert found is not None
    return found


class TestExperimentLife:
    def test_proposed_started_observed_summarised_and_concluded(self, ledger: Ledger) -> None:
        accept(ledger, *proposed(), on("StartExperiment"),
               on("RecordObservation", arm="control", value=9.5),
               on("RecordObservation", arm="treatment", value=7.0, metric="spend", covariate=1.0),
               on("RecordArmSummary", arm="treatment", n=3, sum=21, sum_squares=149),
               on("ConcludeExperiment", decision="adopt", learning="bikes win"))
        assert (experiment(ledger).status, experiment(ledger).decision) == ("concluded", "adopt")
        assert experiment(ledger).observations == {"control": 0, "treatment": 3}  # the summary's n
        assert observations(ledger, "x") == [("control", 9.5, "wait", None), ("treatment", 7.0, "spend", 1.0)]

    def test_each_step_in_its_state_only(self, ledger: Ledger) -> None:
        accept(ledger, *proposed())
        reject(ledger, on("RecordObservation", arm="control", value=1), "experiment x is proposed",
               "observations need a running one")
        reject(ledger, on("ConcludeExperiment", decision="adopt", learning="l"), "only a running one can conclude")
        accept(ledger, on("StartExperiment"))
        reject(ledger, on("StartExperiment"), "experiment x is running; only a proposed one can start")
        accept(ledger, on("ConcludeExperiment", decision="reject", learning="l"))
        reject(ledger, on("RecordArmSummary", arm="control", n=1, sum=1, sum_squares=1), "experiment x is concluded")

    def test_data_must_fit_the_experiment(self, ledger: Ledger) -> None:
        accept(ledger, *proposed(), on("StartExperiment"))
        reject(ledger, on("RecordObservation", arm="blue", value=1), "arm 'blue' is not one of experiment x's arms")
        reject(ledger, on("RecordObservation", arm="control", value=1, metric="ghost"), "unknown metric 'ghost'")
        reject(ledger, on("RecordArmSummary", arm="control", n=2, sum=10, sum_squares=1),
               "sum_squares is smaller than sum²/n")

    def test_a_before_after_experiment_takes_no_observations(self, ledger: Ledger) -> None:
        accept(ledger, *proposed("before_after"), on("StartExperiment"))
        reject(ledger, on("RecordObservation", arm="treatment", value=1), "experiment x is before_after")

    @pytest.mark.parametrize(("field", "reason"), [
        ({"experiment": "x"}, "experiment 'x' already exists"),
        ({"team": "ghost"}, "unknown team 'ghost'"),
        ({"metric": "ghost"}, "unknown metric 'ghost'"),
        ({"promise": "ghost"}, "unknown promise 'ghost'"),
    ])
    def test_a_proposal_names_what_exists(self, ledger: Ledger, field: dict[str, Any], reason: str) -> None:
        accept(ledger, *proposed())
        reject(ledger, {"type": "ProposeExperiment", "experiment": "y", "team": "kitchen", "hypothesis": "h",
                        "metric": "wait", "design": "ab", "at": LATER, **field}, reason)

    def test_an_unknown_experiment(self, ledger: Ledger) -> None:
        reject(ledger, on("StartExperiment"), "unknown experiment 'x'")


class TestReviewsAndChanges:
    def test_a_process_change_names_its_review_and_experiment(self, ledger: Ledger) -> None:
        accept(ledger, *proposed(),
               {"type": "RecordErrorReview", "review": "r", "team": "kitchen", "what_happened": "late",
                "cause": "traffic", "lesson": "bikes", "at": LATER},
               {"type": "RecordProcessChange", "change": "c", "team": "kitchen", "description": "bikes",
                "experiment": "x", "review": "r", "at": LATER})
        review, change = ledger.state(ErrorReview, "r"), ledger.state(ProcessChange, "c")
        assert review is not None and review.lesson == "bikes"
        assert change is not None and (change.experiment, change.review) == ("x", "r")

    def test_reviews_and_changes_name_what_exists(self, ledger: Ledger) -> None:
        accept(ledger, *proposed(), {"type": "RecordProcessChange", "change": "c", "team": "kitchen",
                                     "description": "d", "at": LATER})
        review = {"type": "RecordErrorReview", "review": "r", "team": "kitchen", "what_happened": "w", "cause": "c",
                  "lesson": "l", "at": LATER}
        reject(ledger, {**review, "promise": "ghost"}, "unknown promise 'ghost'")
        reject(ledger, {**review, "team": "ghost"}, "unknown team 'ghost'")
        change = {"type": "RecordProcessChange", "change": "c2", "team": "kitchen", "description": "d", "at": LATER}
        reject(ledger, {**change, "change": "c"}, "'c' already exists")
        reject(ledger, {**change, "experiment": "ghost"}, "unknown experiment 'ghost'")
        reject(ledger, {**change, "review": "ghost"}, "unknown error-review 'ghost'")


def adopt(team: str = "bakery", metric: str = "bake-wait", **fields: Any) -> dict[str, Any]:
    return {"type": "AdoptSolution", "experiment": "x", "team": team, "metric": metric, "reason": "it works there",
            "at": "2026-01-08T09:00:00Z", **fields}


def concluded(decision: str = "adopt") -> list[dict[str, Any]]:
    """Experiment x of kitchen concluded ``decision``; bakery and deli own a metric each, nobody owns "loose"."""
    return [*proposed().team("bakery").metric("bake-wait", owner="bakery").team("deli")
            .metric("deli-wait", owner="deli").metric("loose"),
            on("StartExperiment"), on("ConcludeExperiment", decision=decision, learning="l")]


class TestAdoptSolution:
    """docs/brief.md §11: another team takes up the change of an experiment concluded adopt, once, measured on a
    metric of its own; each refusal names the rule it breaks."""

    def test_teams_other_than_the_runner_adopt_once_each(self, ledger: Ledger) -> None:
        from domain.adoption import Adoption

        accept(ledger, *concluded(), adopt(), adopt("deli", "deli-wait"))
        found = ledger.state(Adoption, "x/bakery")
        assert found is not None and (found.experiment, found.team, found.metric) == ("x", "bakery", "bake-wait")
        assert experiment(ledger).version == 3  # the experiment itself is not changed: its guard stays as it was

    @pytest.mark.parametrize("decision", ["reject", "iterate"])
    def test_only_an_experiment_concluded_adopt(self, ledger: Ledger, decision: str) -> None:
        accept(ledger, *concluded(decision))
        reject(ledger, adopt(), "AdoptSolution: only a proven solution (an experiment concluded 'adopt')",
               f"experiment 'x' was concluded '{decision}'")

    def test_not_a_running_or_proposed_one(self, ledger: Ledger) -> None:
        accept(ledger, *concluded()[:-2])
        reject(ledger, adopt(), "AdoptSolution: only a proven solution", "experiment 'x' is proposed")
        accept(ledger, on("StartExperiment"))
        reject(ledger, adopt(), "AdoptSolution: only a proven solution", "experiment 'x' is running")

    def test_not_before_its_conclusion(self, ledger: Ledger) -> None:
        accept(ledger, *concluded())
        reject(ledger, adopt(at=AT), "AdoptSolution: only a proven solution", "was concluded at")

    def test_not_the_team_that_ran_it(self, ledger: Ledger) -> None:
        accept(ledger, *concluded(), {"type": "DefineMetric", "metric": "k-wait", "name": "K", "unit": "min",
                                      "direction": "lower_is_better", "owner": "kitchen", "at": AT})
        reject(ledger, adopt("kitchen", "k-wait"), "AdoptSolution: the team that ran the experiment runs its change",
               "team 'kitchen' ran experiment 'x'")

    def test_once_per_team(self, ledger: Ledger) -> None:
        accept(ledger, *concluded(), adopt())
        reject(ledger, adopt(at="2026-01-09T09:00:00Z"), "AdoptSolution: a team adopts a solution once",
               "team 'bakery' adopted experiment 'x' already")

    @pytest.mark.parametrize(("metric", "owner"), [("deli-wait", "is team 'deli''s"), ("loose", "owned by no team"),
                                                   ("wait", "owned by no team")])
    def test_on_a_metric_of_its_own(self, ledger: Ledger, metric: str, owner: str) -> None:
        accept(ledger, *concluded())
        reject(ledger, adopt(metric=metric), "AdoptSolution: the effect is measured on a metric the adopting team "
               "owns", owner, "not team 'bakery''s")

    @pytest.mark.parametrize(("field", "reason"), [({"experiment": "ghost"}, "unknown experiment 'ghost'"),
                                                   ({"team": "ghost"}, "unknown team 'ghost'"),
                                                   ({"metric": "ghost"}, "unknown metric 'ghost'")])
    def test_it_names_what_exists(self, ledger: Ledger, field: dict[str, Any], reason: str) -> None:
        accept(ledger, *concluded())
        reject(ledger, adopt(**field), reason)
