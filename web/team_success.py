"""The team page's step 7 (docs/brief.md §11): the team's success metric month by month, its growth month over
month and year over year with its self-funded months, and the "Set success metric" form, offered to those the
one permission table lets set it (the team's lead, the council)."""

from __future__ import annotations

from typing import Any

from projections.rendering import charts
from web.page_context import Page
from web.team_daily import CHOICES
from web.templating import chart


def _metrics(p: Page) -> list[dict[str, str]]:
    """The metrics the form suggests (any defined key may be typed; a key nobody defined is refused naming it)."""
    found = p.workspace.read(lambda con: con.execute(
        "SELECT metric, name, unit FROM metrics WHERE business_at <= ? ORDER BY name LIMIT ?",
        [p.as_of, CHOICES]).fetchall())
    return [{"metric": m, "name": n, "unit": u} for m, n, u in found]


def _described(p: Page, metric: dict[str, Any]) -> dict[str, Any]:
    """The view's success metric with its name, unit and direction, and its chart."""
    found = p.workspace.read(lambda con: con.execute(
        "SELECT name, unit, direction FROM metrics WHERE metric = ? AND business_at <= ? LIMIT 1",
        [metric["metric"], p.as_of]).fetchone())
    name, unit, direction = found or (metric["metric"], "", "higher_is_better")
    return {**metric, "name": name, "unit": unit, "direction": direction.replace("_", " "),
            "chart": chart(charts.success_chart(metric["metric"], metric["by_period"]))}


def success_context(p: Page, team: str, view: dict[str, Any]) -> dict[str, Any]:
    """``success`` (the metric described, or None), ``growth`` (the latest month's row with entries) and
    ``success_form`` (whether the form is offered, and the metrics it suggests)."""
    metric = view.get("success_metric")
    economics = view.get("economics") or []
    offered = not p.past and p.viewer.scope == "write" and p.workspace.refusal(
        p.viewer, {"type": "SetSuccessMetric", "team": team}) is None
    return {"success": _described(p, metric) if metric else None,
            "growth": economics[-1] if economics else None,
            "success_form": {"offered": offered, "metrics": _metrics(p) if offered else []}}
