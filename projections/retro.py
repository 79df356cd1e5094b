"""Retrospectives: what changed for a team between two business times, from the views."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from domain.read_policy import OPERATOR
from projections.canvases import canvases
from projections.economics import economics
from projections.experiments import experiments
from projections.queries import FEEDBACK_WITH_TEAM
from projections.signals.active import signals_as_of
from projections.timeline import iso, iso_date


def _week_start(value: datetime) -> datetime:
    day = value.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def retrospective(con: duckdb.DuckDBPyConnection, team: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Everything about ``team`` that happened in (start, end], seen as of ``end``."""
    window = {"team": team, "start": start, "end": end}
    changes = con.execute(
        "SELECT promise, version, event, business_at, actor, reason, changes FROM promise_history"
        " WHERE (promisor = $team OR promisee = $team) AND business_at > $start AND business_at <= $end"
        " ORDER BY business_at, position",
        window,
    ).fetchall()
    promises = [row[0] for row in con.execute(
        "SELECT DISTINCT promise FROM promise_history WHERE promisor = $team AND business_at <= $end ORDER BY 1",
        {"team": team, "end": end},
    ).fetchall()]
    compliance: dict[str, list[dict[str, Any]]] = {}
    for promise in promises:
        rows = con.execute(
            "SELECT period_start, value, target, kept, in_progress FROM compliance_as_of($end)"
            " WHERE promise = $promise AND period_start >= date_trunc('day', $start::TIMESTAMP)"
            " AND period_start <= $end ORDER BY period_start",
            {"end": end, "promise": promise, "start": start},
        ).fetchall()
        if rows:
            compliance[promise] = [
                {"period_start": iso_date(p), "value": v, "target": t, "kept": k, "in_progress": i}
                for p, v, t, k, i in rows
            ]
    feedback = con.execute(
        f"SELECT feedback_id, kind, business_at, resolution FROM ({FEEDBACK_WITH_TEAM})"
        " WHERE owner_team = $team AND business_at > $start ORDER BY business_at",
        {"as_of": end, "team": team, "start": start},
    ).fetchall()
    weekly: dict[datetime, int] = {}
    week = _week_start(start)
    while week <= end:
        weekly[week] = 0
        week += timedelta(days=7)
    for _, kind, at, _ in feedback:
        if kind == "complaint":
            weekly[_week_start(at)] = weekly.get(_week_start(at), 0) + 1
    team_experiments = [
        e for e in experiments(con, end, team=team, history=True)
        if (e["concluded_at"] is None or e["concluded_at"] > iso(start))  # type: ignore[operator]
    ]
    period_from, period_to = start.strftime("%Y-%m"), end.strftime("%Y-%m")
    team_economics = [
        row for row in economics(con, end, team) if period_from <= row["period"] <= period_to
    ]
    membership = con.execute(
        "SELECT person, role, change, business_at FROM team_membership"
        " WHERE team = $team AND business_at > $start AND business_at <= $end ORDER BY business_at, position",
        window,
    ).fetchall()
    reviews = con.execute(
        "SELECT review, what_happened, cause, lesson, business_at FROM error_reviews"
        " WHERE team = $team AND business_at > $start AND business_at <= $end ORDER BY business_at",
        window,
    ).fetchall()
    process_changes = con.execute(
        "SELECT change, description, experiment, review, business_at FROM process_changes"
        " WHERE team = $team AND business_at > $start AND business_at <= $end ORDER BY business_at",
        window,
    ).fetchall()
    return {
        "team": team,
        "from": iso(start),
        "to": iso(end),
        "promise_changes": [
            {"promise": p, "version": v, "event": e, "at": iso(at), "actor": a, "reason": r,
             "changes": json.loads(c)}
            for p, v, e, at, a, r, c in changes
        ],
        "compliance": compliance,
        "complaints": {
            "received": sum(1 for _, kind, _, _ in feedback if kind == "complaint"),
            "resolved": sum(1 for _, kind, _, res in feedback if kind == "complaint" and res is not None),
            "open": sum(1 for _, kind, _, res in feedback if kind == "complaint" and res is None),
            "other_feedback": sum(1 for _, kind, _, _ in feedback if kind != "complaint"),
            "per_week": [{"week_start": iso_date(w), "complaints": n} for w, n in sorted(weekly.items())],
        },
        "canvases": canvases(con, end, team=team),
        "experiments": team_experiments,
        "economics": team_economics,
        "membership_changes": [
            {"person": p, "role": r, "change": c, "at": iso(at)} for p, r, c, at in membership
        ],
        "error_reviews": [
            {"review": k, "what_happened": w, "cause": c, "lesson": lesson, "at": iso(at)}
            for k, w, c, lesson, at in reviews
        ],
        "process_changes": [
            {"change": k, "description": d, "experiment": e, "review": r, "at": iso(at)}
            for k, d, e, r, at in process_changes
        ],
        "signals": team_signals(con, team, start, end),
    }


def team_signals(con: duckdb.DuckDBPyConnection, team: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The signals raised in (start, end] for the team, oldest first, as they stood at ``end`` (cleared by then
    or still active): what the ledger told the team while it happened; ``teams`` are all who see each one (for the
    read rule, ``projections.read_rules.retro_answer``). Never past now: a signal raised by time
    alone (a deadline passing) has not been raised before its time comes, and an open window ends now."""
    until = min(end, datetime.now(UTC).replace(tzinfo=None))
    found = signals_as_of(con, until, OPERATOR, team=team, include_cleared=True)
    return [{**s.as_json(), "teams": sorted(s.audience_teams)} for s in sorted(found, key=lambda s: (s.raised_at, s.id))
            if s.raised_at > start]
