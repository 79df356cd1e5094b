"""Step 9: experiments, error reviews and process changes; step 7's adoption of a proven experiment's change."""

from __future__ import annotations

from domain.adoption import Adoption, adoption_key, check_adoption
from domain.audit import Audit
from domain.commands.experiments import (
    AdoptSolution,
    ConcludeExperiment,
    ProposeExperiment,
    RecordArmSummary,
    RecordErrorReview,
    RecordObservation,
    RecordProcessChange,
    StartExperiment,
)
from domain.experiment import ErrorReview, Experiment, ProcessChange
from domain.handlers.keys import new_key
from domain.metric import Metric
from domain.observation import Observation
from domain.policy import ADOPTING_TEAM, EXPERIMENT_TEAM, TEAM_CONCERNED
from domain.promise import Promise
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.team import Team


@handles(ProposeExperiment, rule=TEAM_CONCERNED)
def propose_experiment(uow: UnitOfWork, cmd: ProposeExperiment, audit: Audit) -> None:
    uow.require_absent(Experiment, cmd.experiment)
    uow.refer(Team, cmd.team)
    uow.refer(Metric, cmd.metric)
    if cmd.promise is not None:
        uow.refer(Promise, cmd.promise)
    for guardrail in cmd.guardrails:
        uow.refer(Metric, guardrail)
    uow.add(Experiment(
        key=cmd.experiment, team=cmd.team, hypothesis=cmd.hypothesis, metric=cmd.metric,
        design=cmd.design, promise=cmd.promise, audit=audit, plan=cmd.plan(),
    ))


@handles(StartExperiment, rule=EXPERIMENT_TEAM)
def start_experiment(uow: UnitOfWork, cmd: StartExperiment, audit: Audit) -> None:
    experiment = uow.require(Experiment, cmd.experiment)
    experiment.start(audit=audit)
    uow.add(experiment)


def _data_metric(uow: UnitOfWork, experiment: Experiment, metric: str | None) -> str:
    """The metric an observation or summary is about: the primary one, or another defined metric."""
    if metric is None or metric == experiment.metric:
        return experiment.metric
    uow.refer(Metric, metric)
    return metric


@handles(RecordObservation, rule=EXPERIMENT_TEAM)
def record_observation(uow: UnitOfWork, cmd: RecordObservation, audit: Audit) -> None:
    """An aggregate of its own (``domain.observation``): the experiment judges it but does not grow."""
    experiment = uow.require(Experiment, cmd.experiment)
    metric = _data_metric(uow, experiment, cmd.metric)
    experiment.check_observation(cmd.arm, cmd.value, metric, audit)
    uow.rely_on(experiment)  # a conclusion recorded meanwhile makes the batch try again, and refuse it
    uow.add(Observation(key=new_key(uow, cmd, Observation), experiment=cmd.experiment, arm=cmd.arm, value=cmd.value,
                        metric=metric, covariate=cmd.covariate, audit=audit))


@handles(RecordArmSummary, rule=EXPERIMENT_TEAM)
def record_arm_summary(uow: UnitOfWork, cmd: RecordArmSummary, audit: Audit) -> None:
    experiment = uow.require(Experiment, cmd.experiment)
    metric = _data_metric(uow, experiment, cmd.metric)
    summary = cmd.model_dump(include={"n", "sum", "sum_squares", "covariate_sum", "covariate_sum_squares",
                                      "cross_sum"})
    experiment.record_arm_summary(cmd.arm, metric, summary, audit=audit)
    uow.add(experiment)


@handles(ConcludeExperiment, rule=EXPERIMENT_TEAM)
def conclude_experiment(uow: UnitOfWork, cmd: ConcludeExperiment, audit: Audit) -> None:
    experiment = uow.require(Experiment, cmd.experiment)
    experiment.conclude(cmd.decision, cmd.learning, audit=audit)
    uow.add(experiment)


@handles(RecordErrorReview, rule=TEAM_CONCERNED)
def record_error_review(uow: UnitOfWork, cmd: RecordErrorReview, audit: Audit) -> None:
    uow.require_absent(ErrorReview, cmd.review)
    uow.refer(Team, cmd.team)
    if cmd.promise is not None:
        uow.refer(Promise, cmd.promise)
    uow.add(ErrorReview(
        key=cmd.review, team=cmd.team, what_happened=cmd.what_happened, cause=cmd.cause,
        lesson=cmd.lesson, promise=cmd.promise, audit=audit,
    ))


@handles(RecordProcessChange, rule=TEAM_CONCERNED)
def record_process_change(uow: UnitOfWork, cmd: RecordProcessChange, audit: Audit) -> None:
    uow.require_absent(ProcessChange, cmd.change)
    uow.refer(Team, cmd.team)
    if cmd.experiment is not None:
        uow.refer(Experiment, cmd.experiment)
    if cmd.review is not None:
        uow.refer(ErrorReview, cmd.review)
    uow.add(ProcessChange(
        key=cmd.change, team=cmd.team, description=cmd.description, experiment=cmd.experiment,
        review=cmd.review, audit=audit,
    ))


@handles(AdoptSolution, rule=ADOPTING_TEAM)
def adopt_solution(uow: UnitOfWork, cmd: AdoptSolution, audit: Audit) -> None:
    """Step 7's growth (docs/brief.md §11): each refusal names the adoption rule it breaks."""
    experiment = uow.refer(Experiment, cmd.experiment)
    uow.refer(Team, cmd.team)
    metric = uow.refer(Metric, cmd.metric)
    key = adoption_key(cmd.experiment, cmd.team)
    check_adoption(experiment, cmd.team, cmd.metric, metric.owner, uow.find(Adoption, key) is not None, audit.at)
    uow.rely_on(experiment)  # judged by its conclusion, which it does not change
    uow.add(Adoption(key=key, experiment=cmd.experiment, team=cmd.team, metric=cmd.metric, audit=audit))
