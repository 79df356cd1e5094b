"""`clientocracy demo`: the sample grocery company through every step, then its retrospective."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.service.ledger import Ledger
from projections.adoptions import adoptions, proven_solutions
from projections.economics import economics
from projections.growth import self_funded_months
from projections.rendering import report_html
from projections.rendering.experiment_spread import reach, spread
from projections.retro import retrospective
from projections.runner import open_views
from projections.success_metric import success_metric
from projections.timeline import FOREVER
from projections.views_file import catch_up
from scripts import render
from scripts.import_file import import_lines
from scripts.sample_company import write_sample

QUARTER = (datetime(2026, 1, 1), datetime(2026, 3, 31, 23, 59, 59))
FORGET = ("client", "citycourier", "partner contract ended; erasure request DPO-2026-014")
"""At the end, the courier partner asks to be forgotten (GDPR art. 17): its name and description go."""


def run_demo(store_url: str, views: Path, out_dir: Path) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    sample = out_dir / "sample_company.jsonl"
    lines = write_sample(sample)
    ledger = Ledger.open(store_url)
    try:
        with sample.open("rb") as stream:
            summary = import_lines(ledger, stream)
        kind, key, reason = FORGET
        forgotten = ledger.forget(kind, key, reason, actor="council")
        scrub_input(sample, f"{kind}:{key}")
        projected = catch_up(ledger.store, views)  # rebuilds the file when a forget reached it
        runner = open_views(ledger.store, views)
        con = runner.con
        try:
            audit = audit_summary(con)
            solutions = proven(con)
            growing = success_and_growth(con)
            teams = [t for (t,) in con.execute("SELECT team FROM teams ORDER BY position").fetchall()]
            retros = [retrospective(con, team, *QUARTER) for team in teams]
        finally:
            con.close()
        verified = ledger.verify()
    finally:
        ledger.close()
    html_path = out_dir / "retrospective.html"
    html_path.write_text(report_html.render(retros, "FreshBasket retrospective, Q1 2026"), encoding="utf-8")

    console = render.console
    console.rule("[bold]clientocracy demo: FreshBasket grocery chain[/bold]")
    console.print(f"Sample company: {lines} commands in {sample}")
    console.print(f"Imported: {summary.accepted} recorded, {summary.skipped} already there, "
                  f"{len(summary.errors)} rejected; {projected.events} events projected into {views}")
    console.print(f"Forgot {kind} {key} ({reason}): "
                  + ("its key destroyed, its name and description now read [forgotten]" if forgotten.erasure
                     else "already forgotten on an earlier run"), markup=False)
    console.print(f"Event log: {verified.events} events, hash chain "
                  f"{'intact' if verified.ok else 'BROKEN at ' + str(verified.first_bad_position)}")
    for label, rows in audit.items():
        console.print(f"  {label}: " + ", ".join(rows), markup=False)
    console.print("Success and growth (step 7: each team's success metric, its latest month's growth):")
    for line in growing:
        console.print(f"  {line}", markup=False)
    console.print("Proven solutions (step 7: how far each spread, and its effect there):")
    for line in solutions:
        console.print(f"  {line}", markup=False)
    for retro in retros:
        render.retro(retro)
    console.print(f"\nRetrospective report with charts written to [bold]{html_path.resolve()}[/bold]")
    return {"summary": summary.to_dict(), "html": str(html_path), "events": verified.events}


def audit_summary(con: Any) -> dict[str, list[str]]:
    """Who the clients are, what teams exist, and where each promise stands."""
    return {
        "clients": [f"{c} \"{n}\" ({k})" for c, n, k in con.execute(
            "SELECT client, name, kind FROM clients ORDER BY position").fetchall()],
        "teams": [f"{t} ({n} members)" for t, n in con.execute(
            "SELECT t.team, count(m.person) FROM teams t LEFT JOIN team_members m USING (team)"
            " GROUP BY t.team, t.position ORDER BY t.position").fetchall()],
        "promises": [f"{p} {s} v{v} (target {t:g})" for p, s, v, t in con.execute(
            "SELECT promise, status, version, target FROM promise_state ORDER BY promise").fetchall()],
        "experiments": [f"{e}: {d or s}" for e, s, d in con.execute(
            "SELECT DISTINCT experiment, status, decision FROM experiment_outcomes ORDER BY experiment").fetchall()],
    }


def proven(con: Any) -> list[str]:
    """Step 7's growth: each proven solution, how many teams run it, and its effect where it spread."""
    found = []
    for solution in proven_solutions(con, FOREVER):
        view = {"team": solution["team"], "adoptions": adoptions(con, solution["experiment"], FOREVER)}
        found.append("; ".join([f"{solution['experiment']} {reach(view)}", *(line.text for line in spread(view))]))
    return found


def success_and_growth(con: Any) -> list[str]:
    """Per team: its success metric kept in how many months, the latest month's growth, its self-funded months."""
    found = []
    for (team,) in con.execute("SELECT team FROM teams ORDER BY position").fetchall():
        rows, metric = economics(con, FOREVER, team), success_metric(con, team, FOREVER)
        judged = [m["kept"] for m in metric["by_period"] if m["kept"] is not None] if metric else []
        kept = (f"{metric['metric']} kept in {judged.count(True)} of {len(judged)} months" if metric
                else "no success metric")
        latest = rows[-1] if rows else None
        growth = (f"{latest['period']} revenue {_pct(latest['revenue_growth'])} on the month before, "
                  f"{_pct(latest['revenue_growth_yoy'])} on a year earlier" if latest else "no entries")
        found.append(f"{team}: {kept}; {growth}; self-funded {self_funded_months(rows)} of the last "
                     f"{min(len(rows), 12)} months with entries")
    return found


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def scrub_input(path: Path, subject: str) -> None:
    """Erasure covers the source files too: the demo's own input file keeps no text of the forgotten
    subject (its lines stay, so a re-run still skips them by id)."""
    from domain import commands as c
    from domain.feedback import Feedback
    from domain.personal_data import FORGOTTEN, client_subject

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    feedback = {line["feedback_id"] for line in lines
                if line["type"] == "RecordFeedback" and client_subject(line["client"]) == subject}
    for line in lines:
        personal = c.personal_fields(getattr(c, line["type"]))
        if personal:
            command = c.COMMAND_ADAPTER.validate_python(line)
            line.update({name: FORGOTTEN for name, mark in personal.items()
                         if mark.subject_of(command) == subject and line.get(name) is not None})
        if line.get("feedback_id") in feedback:  # the team's answers to the subject's feedback
            line.update({name: FORGOTTEN for name in Feedback.LATER_PERSONAL_FIELDS if line.get(name) is not None})
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
