"""Steps 1-4: clients, their pains, value propositions and strategy canvases."""

from __future__ import annotations

from domain import commands as c
from domain.audit import Audit
from domain.client import Client
from domain.personal_data import client_subject
from domain.service.unit_of_work import UnitOfWork
from domain.strategy import StrategyCanvas
from domain.team import Team


def identify_client(uow: UnitOfWork, cmd: c.IdentifyClient, audit: Audit) -> None:
    uow.require_absent(Client, cmd.client)
    subject = client_subject(cmd.client)
    uow.add(Client(key=cmd.client, name=uow.sealer.seal(subject, cmd.name), kind=cmd.kind,
                   description=uow.sealer.seal(subject, cmd.description), audit=audit))


def record_pain(uow: UnitOfWork, cmd: c.RecordPain, audit: Audit) -> None:
    client = uow.require(Client, cmd.client)
    client.record_pain(cmd.pain, cmd.description, cmd.severity, audit=audit)
    uow.add(client)


def define_value_proposition(uow: UnitOfWork, cmd: c.DefineValueProposition, audit: Audit) -> None:
    client = uow.require(Client, cmd.client)
    if cmd.team is not None:
        uow.refer(Team, cmd.team)
    client.define_value_proposition(
        cmd.proposition, cmd.team, cmd.statement, list(cmd.characteristics), list(cmd.pains), audit=audit
    )
    uow.add(client)


def draw_strategy_canvas(uow: UnitOfWork, cmd: c.DrawStrategyCanvas, audit: Audit) -> None:
    uow.require_absent(StrategyCanvas, cmd.canvas)
    uow.refer(Client, cmd.client)
    if cmd.team is not None:
        uow.refer(Team, cmd.team)
    uow.add(StrategyCanvas(key=cmd.canvas, client=cmd.client, team=cmd.team, factors=list(cmd.factors), audit=audit))


def score_offering(uow: UnitOfWork, cmd: c.ScoreOffering, audit: Audit) -> None:
    canvas = uow.require(StrategyCanvas, cmd.canvas)
    canvas.score_offering(cmd.offering, cmd.ours, dict(cmd.scores), audit=audit)
    uow.add(canvas)


def choose_unique_factor(uow: UnitOfWork, cmd: c.ChooseUniqueFactor, audit: Audit) -> None:
    canvas = uow.require(StrategyCanvas, cmd.canvas)
    canvas.choose_unique_factor(cmd.factor, audit=audit)
    uow.add(canvas)
