"""Human-readable output of the show commands (rich tables on stdout).

Every value taken from a view goes through ``_t``: its control characters shown as escapes
(``scripts.terminal.printable``) and its square brackets escaped, so stored text is printed as
text - never obeyed by the terminal, never read as rich markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from projections.rendering.experiment_story import story
from projections.rendering.signal_words import because_text, state_text, subject_text
from scripts import experiment_text
from scripts.terminal import printable

console = Console()


def _t(value: Any) -> str:
    """A stored value as safe terminal text ('' for None)."""
    return "" if value is None else escape(printable(value))


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def promise(view: dict[str, Any]) -> None:
    console.print(f"[bold]{_t(view['promise'])}[/bold] ({_t(view['status'])}, version {view['version']}): "
                  f"{_t(view['promisor'])} -> {_t(view['promisee'])}")
    console.print(f"  {_t(view['statement'])}")
    console.print(f"  metric {_t(view['metric'])}, target {_num(view['target'])} per {_t(view['period'])}")
    if view.get("awaiting_consent"):
        console.print("  awaiting the consent of " + " and ".join(_t(p) for p in view["awaiting_consent"]))
    history = Table("v", "event", "at", "actor", "reason", "changes", title="history")
    for h in view["history"]:
        changes = ", ".join(f"{_t(k)}={_t(v)}" for k, v in h["changes"].items())
        history.add_row(str(h["version"]), _t(h["event"]), _t(h["at"]), _t(h["actor"]), _t(h["reason"]), changes)
    console.print(history)
    if view["compliance"]:
        table = Table("period", "value", "target", "kept", title="compliance")
        for row in view["compliance"]:
            kept = ("in progress" if row.get("in_progress") else "-" if row["kept"] is None
                    else "yes" if row["kept"] else "[red]no[/red]")
            table.add_row(_t(row["period_start"]), _num(row["value"]), _num(row["target"]), kept)
        console.print(table)
    if view.get("health"):
        for line in health_lines(view["health"]):
            console.print(f"  {line}")


def health_lines(health: dict[str, Any]) -> list[str]:
    """docs/brief.md §9's health in words: the current period, attainment, the budget, misses in a row."""
    current, attainment, budget = health["current"], health["attainment"], health["budget"]
    status = {"on_track": "on track", "at_risk": "[red]at risk[/red]", "no_data": "no reading yet"}[current["status"]]
    so_far = ("" if current["value"] is None
              else f", {_num(current['value'])} so far from {current['readings']} reading(s)")
    lines = [f"current period {_t(current['period_start'])}: {status}{so_far}",
             f"kept {attainment['kept']} of the last {attainment['periods']}"
             + (f" ({attainment['no_data']} period(s) without a reading)" if attainment["no_data"] else "")]
    if budget is not None:
        left = budget["left"]
        lines.append(f"objective {_num(health['objective'] * 100, 0)}%: {budget['misses']} of "
                     f"{budget['allowed_misses']} allowed misses, "
                     + (f"{left} left" if left >= 0 else f"[red]budget exhausted ({-left} over)[/red]"))
    if health["missed_in_a_row"]:
        lines.append(f"[red]missed {health['missed_in_a_row']} period(s) in a row[/red]")
    return lines


def team(view: dict[str, Any]) -> None:
    console.print(f"[bold]{_t(view['team'])}[/bold] - {_t(view['name'])}")
    console.print("  members: " + ", ".join(f"{_t(m['person'])} ({_t(m['role'])})" for m in view["members"]))
    promises = Table("promise", "status", "v", "promisee", "metric", "target", "period", title="promises")
    for p in view["promises"]:
        promises.add_row(_t(p["promise"]), _t(p["status"]), str(p["version"]), _t(p["promisee"]), _t(p["metric"]),
                         _num(p["target"]), _t(p["period"]))
    console.print(promises)
    shown, count = len(view["open_complaints"]), view.get("open_complaints_count", len(view["open_complaints"]))
    complaints = Table("feedback", "client", "channel", "occurred", "state", "text",
                       title=f"open complaints ({count}" + (f", the newest {shown} shown; --all lists every one)"
                                                           if shown < count else ")"))
    for c in view["open_complaints"]:
        client = _t(c["client"]) + ("" if c["client_identified"] else " (unidentified)")
        state = _t(c.get("sla")) + (f" (answer by {c['respond_by'][:16]})" if c.get("respond_by") and not
                                      c.get("responded_at") and c.get("sla") != "overdue" else "")
        complaints.add_row(_t(c["feedback_id"]), client, _t(c["channel"]), _t(c["occurred_at"]), state,
                           _t(c["text"][:60]))
    console.print(complaints)
    economics = Table("period", "revenue", "costs", "net profit", "bonus pool", "scheme", title="economics")
    growth = Table("period", "revenue growth", "net profit growth", "revenue, year over year", "self-funded",
                   title="growth (against the month before; a year earlier)")
    for e in view["economics"]:
        economics.add_row(_t(e["period"]), _num(e["revenue"]), _num(e["costs"]), _num(e["net_profit"]),
                          _num(e["bonus_pool"]), f"{_t(e['scheme_variant'])} v{e['scheme_version']}")
        growth.add_row(_t(e["period"]), _pct(e["revenue_growth"]), _pct(e["net_profit_growth"]),
                       _pct(e["revenue_growth_yoy"]), "yes" if e["self_funded"] else "no")
    console.print(economics)
    console.print(growth)
    console.print(f"  self-funded months: {view['self_funded_months']} of the last "
                  f"{min(len(view['economics']), 12)} months with entries")
    _success_metric(view["success_metric"])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _success_metric(metric: dict[str, Any] | None) -> None:
    """docs/brief.md §11: the team's success metric by month, kept or missed in words."""
    if metric is None:
        console.print("  success metric: none set")
        return
    months = Table("month", "mean", "target", "result", title=(
        f"success metric {_t(metric['metric'])} (target {_num(metric['target'])}, since {_t(metric['since'])})"))
    for m in metric["by_period"]:
        result = "kept" if m["kept"] else "not judged" if m["kept"] is None else "missed"
        months.add_row(_t(m["period_start"][:7]), _num(m["value"]), _num(m["target"]), result)
    console.print(months)


def experiment(view: dict[str, Any]) -> None:
    console.print(f"[bold]{_t(view['experiment'])}[/bold] ({_t(view['design'])}, {_t(view['status'])}) on "
                  f"{_t(view['metric'])}: {_t(view['hypothesis'])}")
    arms = Table("arm", "n", "mean", "std")
    for arm in view["arms"]:
        arms.add_row(_t(arm["arm"]), str(arm["n"]), _num(arm["mean"], 3), _num(arm["std"], 3))
    console.print(arms)
    console.print(f"  decision: {_t(view['decision'] or '-')}")
    experiment_text.outcome(console, view)
    experiment_text.where_it_spread(console, view)


def retro(view: dict[str, Any]) -> None:
    console.rule(f"[bold]Retrospective: team {_t(view['team'])}[/bold]  {_t(view['from'])} -> {_t(view['to'])}")
    changes = Table("at", "promise", "event", "actor", "reason", "changes", title="how agreements changed")
    for c in view["promise_changes"]:
        changes.add_row(_t(c["at"][:16]), _t(c["promise"]), _t(c["event"]), _t(c["actor"]), _t(c["reason"]),
                        ", ".join(f"{_t(k)}={_t(v)}" for k, v in c["changes"].items() if k != "statement"))
    console.print(changes)
    for c in view.get("canvases", []):
        ours = ", ".join(_t(o["offering"]) for o in c["offerings"] if o["ours"]) or "none scored"
        console.print(f"  strategy canvas {_t(c['canvas'])} for {_t(c['client'])}: ours {ours} against "
                      f"{sum(not o['ours'] for o in c['offerings'])} alternative(s), unique factor "
                      f"{_t(c['unique_factor'] or 'not chosen')}")
    for promise_key, rows in view["compliance"].items():
        judged = [r for r in rows if r["kept"] is not None]
        kept = sum(1 for r in judged if r["kept"])
        trend = "".join("[green]■[/green]" if r["kept"] else "[red]■[/red]" if r["kept"] is False
                        else "○" if r.get("in_progress") else "·" for r in rows)
        console.print(f"  {_t(promise_key)}: kept {kept}/{len(judged)} periods  {trend}")
    c = view["complaints"]
    console.print(f"  complaints: {c['received']} received, {c['resolved']} resolved, {c['open']} open; "
                  f"per week: {' '.join(str(w['complaints']) for w in c['per_week'])}")
    for e in view["experiments"]:
        console.print(f"  experiment {_t(e['experiment'])} ({_t(e['design'])}, {_t(e['status'])}) -> "
                      f"{_t(e['decision'] or 'no decision yet')}")
        experiment_text.headline(console, story(e), indent="    ")
    for e in view["economics"]:
        console.print(f"  {_t(e['period'])}: revenue {_num(e['revenue'])}, costs {_num(e['costs'])}, "
                      f"net {_num(e['net_profit'])}, bonus pool {_num(e['bonus_pool'])}")
    for r in view["error_reviews"]:
        console.print(f"  error review {_t(r['review'])}: {_t(r['lesson'])}")
    for p in view["process_changes"]:
        console.print(f"  process change {_t(p['change'])}: {_t(p['description'])}")
    for s in view.get("signals", []):
        console.print(f"  signal {_t(s['raised_at'][:10])} {_t(s['kind'])} ({_t(s['severity'])}) about "
                      f"{_t(subject_text(s))}: {_t(because_text(s['because']))}; {_t(state_text(s))}")
