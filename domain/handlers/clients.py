"""Steps 1-4: clients, their pains, value propositions and strategy canvases."""

from __future__ import annotations

from domain.audit import Audit
from domain.client import Client
from domain.commands.clients import (
    ChooseUniqueFactor,
    DefineValueProposition,
    DrawStrategyCanvas,
    IdentifyClient,
    RecordPain,
    ScoreOffering,
)
from domain.policy import ANY_MEMBER, NAMED_TEAM
from domain.registry import handles
from domain.service.unit_of_work import UnitOfWork
from domain.strategy import StrategyCanvas
from domain.team import Team


@handles(IdentifyClient, rule=ANY_MEMBER)
def identify_client(uow: UnitOfWork, cmd: IdentifyClient, audit: Audit) -> None:
    uow.require_absent(Client, cmd.client)
    uow.add(Client(key=cmd.client, name=cmd.name, kind=cmd.kind, description=cmd.description, audit=audit))


@handles(RecordPain, rule=ANY_MEMBER)
def record_pain(uow: UnitOfWork, cmd: RecordPain, audit: Audit) -> None:
    client = uow.require(Client, cmd.client)
    client.record_pain(cmd.pain, cmd.description, cmd.severity, audit=audit)
    uow.add(client)


@handles(DefineValueProposition, rule=NAMED_TEAM)
def define_value_proposition(uow: UnitOfWork, cmd: DefineValueProposition, audit: Audit) -> None:
    client = uow.require(Client, cmd.client)
    if cmd.team is not None:
        uow.refer(Team, cmd.team)
    client.define_value_proposition(
        cmd.proposition, cmd.team, cmd.statement, list(cmd.characteristics), list(cmd.pains), audit=audit
    )
    uow.add(client)


@handles(DrawStrategyCanvas, rule=NAMED_TEAM)
def draw_strategy_canvas(uow: UnitOfWork, cmd: DrawStrategyCanvas, audit: Audit) -> None:
    uow.require_absent(StrategyCanvas, cmd.canvas)
    uow.refer(Client, cmd.client)
    if cmd.team is not None:
        uow.refer(Team, cmd.team)
    uow.add(StrategyCanvas(key=cmd.canvas, client=cmd.client, team=cmd.team, factors=list(cmd.factors), audit=audit))


@handles(ScoreOffering, rule=ANY_MEMBER)
def score_offering(uow: UnitOfWork, cmd: ScoreOffering, audit: Audit) -> None:
    canvas = uow.require(StrategyCanvas, cmd.canvas)
    canvas.score_offering(cmd.offering, cmd.ours, dict(cmd.scores), audit=audit)
    uow.add(canvas)


@handles(ChooseUniqueFactor, rule=ANY_MEMBER)
def choose_unique_factor(uow: UnitOfWork, cmd: ChooseUniqueFactor, audit: Audit) -> None:
    canvas = uow.require(StrategyCanvas, cmd.canvas)
    canvas.choose_unique_factor(cmd.factor, audit=audit)
    uow.add(canvas)
