"""Human-readable ``client show`` (rich tables on stdout), every stored value through ``render._t``."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from scripts.render import _num, _t, console


def client(view: dict[str, Any]) -> None:
    console.print(f"[bold]{_t(view['client'])}[/bold] - {_t(view['name'])} ({_t(view['kind'])})")
    if view["representatives"]:
        console.print("  represented by " + ", ".join(_t(p) for p in view["representatives"]))
    pains = Table("pain", "severity", "description", title="pains (most severe first)")
    for p in view["pains"]:
        pains.add_row(_t(p["pain"]), "-" if p["severity"] is None else str(p["severity"]), _t(p["description"]))
    console.print(pains)
    for v in view["value_propositions"]:
        console.print(f"  value proposition {_t(v['proposition'])} ({_t(v['team'])}): {_t(v['statement'])}")
        console.print(f"    characteristics: {', '.join(_t(c) for c in v['characteristics'])}; "
                      f"relieves: {', '.join(_t(p) for p in v['pains']) or '-'}")
    for c in view["canvases"]:
        canvas = Table("offering", *(_t(f) + (" *" if f == c["unique_factor"] else "") for f in c["factors"]),
                       title=f"canvas {_t(c['canvas'])} ({_t(c['team'])}); * the unique factor")
        for o in c["offerings"]:
            canvas.add_row(_t(o["offering"]) + (" (ours)" if o["ours"] else ""),
                           *(_num(o["scores"].get(f), 0) for f in c["factors"]))
        console.print(canvas)
    promises = Table("promise", "status", "promisor", "metric", "target", "period", title="promises")
    for p in view["promises"]:
        promises.add_row(_t(p["promise"]), _t(p["status"]), _t(p["promisor"]), _t(p["metric"]), _num(p["target"]),
                         _t(p["period"]))
    console.print(promises)
    shown, count = len(view["open_complaints"]), view["open_complaints_count"]
    complaints = Table("feedback", "team", "occurred", "text",
                       title=f"open complaints ({count}" + (f", the newest {shown} shown; --all lists every one)"
                                                           if shown < count else ")"))
    for c in view["open_complaints"]:
        complaints.add_row(_t(c["feedback_id"]), _t(c["team"]), _t(c["occurred_at"]), _t((c["text"] or "")[:60]))
    console.print(complaints)
    console.print(f"  resolved complaints: {view['resolved_complaints_count']}")
    for n in view["nps_by_period"]:
        console.print(f"  {_t(n['period'])}: {n['feedback']} feedback, NPS {_num(n['nps'], 0)} "
                      f"of {n['ratings']} ratings")
