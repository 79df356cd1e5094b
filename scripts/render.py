"""Human-readable output of the show commands (rich tables on stdout)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def promise(view: dict[str, Any]) -> None:
    console.print(f"[bold]{view['promise']}[/bold] ({view['status']}, version {view['version']}): "
                  f"{view['promisor']} -> {view['promisee']}")
    console.print(f"  {view['statement']}")
    console.print(f"  metric {view['metric']}, target {_num(view['target'])} per {view['period']}")
    history = Table("v", "event", "at", "actor", "reason", "changes", title="history")
    for h in view["history"]:
        changes = ", ".join(f"{k}={v}" for k, v in h["changes"].items())
        history.add_row(str(h["version"]), h["event"], h["at"], h["actor"] or "", h["reason"] or "", changes)
    console.print(history)
    if view["compliance"]:
        table = Table("period", "value", "target", "kept", title="compliance")
        for row in view["compliance"]:
            kept = "-" if row["kept"] is None else ("yes" if row["kept"] else "[red]no[/red]")
            table.add_row(row["period_start"], _num(row["value"]), _num(row["target"]), kept)
        console.print(table)


def team(view: dict[str, Any]) -> None:
    console.print(f"[bold]{view['team']}[/bold] - {view['name']}")
    console.print("  members: " + ", ".join(f"{m['person']} ({m['role']})" for m in view["members"]))
    promises = Table("promise", "status", "v", "promisee", "metric", "target", "period", title="promises")
    for p in view["promises"]:
        promises.add_row(p["promise"], p["status"], str(p["version"]), p["promisee"], p["metric"],
                         _num(p["target"]), p["period"])
    console.print(promises)
    complaints = Table("feedback", "client", "channel", "occurred", "text", title="open complaints")
    for c in view["open_complaints"]:
        client = c["client"] + ("" if c["client_identified"] else " (unidentified)")
        complaints.add_row(c["feedback_id"], client, c["channel"], c["occurred_at"], c["text"][:60])
    console.print(complaints)
    economics = Table("period", "revenue", "costs", "net profit", "bonus pool", "scheme", title="economics")
    for e in view["economics"]:
        economics.add_row(e["period"], _num(e["revenue"]), _num(e["costs"]), _num(e["net_profit"]),
                          _num(e["bonus_pool"]), f"{e['scheme_variant']} v{e['scheme_version']}")
    console.print(economics)


def experiment(view: dict[str, Any]) -> None:
    console.print(f"[bold]{view['experiment']}[/bold] ({view['design']}, {view['status']}) on {view['metric']}: "
                  f"{view['hypothesis']}")
    arms = Table("arm", "n", "mean", "std")
    for arm in view["arms"]:
        arms.add_row(arm["arm"], str(arm["n"]), _num(arm["mean"], 3), _num(arm["std"], 3))
    console.print(arms)
    console.print(f"  difference {_num(view['abs_diff'], 3)} (lift {_num(view['lift'], 3)}), "
                  f"95% CI [{_num(view['ci_low'], 3)}, {_num(view['ci_high'], 3)}], p = {_num(view['p_value'], 4)}")
    console.print(f"  decision: {view['decision'] or '-'}")
