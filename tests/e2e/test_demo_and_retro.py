"""End to end: the demo, the retrospective, and `project --follow`, run as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.support.cli import CLI, cli_json, jsonl, run_cli
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI


def test_demo_imports_projects_and_writes_the_retrospective(tmp_path: Path) -> None:
    done = subprocess.run([*CLI, "demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "160"})
    assert done.returncode == 0, done.stderr
    assert "Retrospective: team home-delivery" in done.stdout
    assert "Retrospective: team bakery" in done.stdout
    assert "strategy canvas canvas-office-lunch for office-lunch: ours freshbasket-lunch-box against 2 " \
           "alternative(s), unique factor bread-freshness" in " ".join(done.stdout.split())
    assert "hash chain intact" in done.stdout
    # docs/brief.md §11: home delivery's proven micro-zone batching spread to the bakery's lunch van
    assert "exp-microzone-batching runs in 2 teams: home-delivery (ran it), bakery; bakery adopted it on 2 Mar " \
           "2026; Lunch van minutes to the last office drop \u22124.3 minutes (51.5 \u2192 47.2; p < 0.0001, 20 " \
           "readings before vs 20 after), better" in " ".join(done.stdout.split())
    # docs/brief.md §11: each team's success metric and growth, the year before the quarter brought in from its books
    told = " ".join(done.stdout.split())
    assert "home-delivery: ontime-delivery-pct kept in 2 of 3 months; 2026-03 revenue +7.0% on the month before, " \
           "+29.0% on a year earlier; self-funded 12 of the last 12 months with entries" in told
    assert "bakery: lunch-by-1230-pct kept in 2 of 3 months" in told and "self-funded 7 of the last 12" in told
    report = tmp_path / ".clientocracy" / "retrospective.html"
    assert str(report.resolve()) in done.stdout.replace("\n", "")
    page = report.read_text()
    assert page.count("<svg") >= 8  # compliance, complaints, experiments and economics charts per team
    assert "Compliance of p-home-2h-window" in page and "Economics by period" in page
    # docs/brief.md §8: each team's strategy canvas as value curves, its scores as a table beside it.
    assert page.count('<svg class="value-curve"') == 2
    assert "Strategy canvas canvas-home-delivery" in page and "window-accuracy (unique)" in page
    assert "freshbasket-lunch-box (ours)" in page and "bread-freshness (unique)" in page
    store = f"sqlite:///{tmp_path / '.clientocracy' / 'ledger.db'}"
    promise = cli_json("promise", "show", "p-home-2h-window", store=store,
                       views=tmp_path / ".clientocracy" / "views.duckdb")
    assert [h["event"] for h in promise["history"]] == ["Proposed", "CounterProposed", "Agreed", "Amended"]
    again = subprocess.run([*CLI, "demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    from scripts.sample_company import sample_company_commands

    lines = len(sample_company_commands())
    assert again.returncode == 0 and f"0 recorded, {lines} already there" in again.stdout.replace("\n", " ")
    # docs/brief.md §6 in the retrospective: comparison intervals, the before/after XmR chart, the verdicts.
    assert "exp-overnight-proofing: XmR chart" in page and "lift against no-notice by arm and metric" in page
    assert "A guardrail moved significantly the wrong way (call-notice on complaint-rate)" in page
    assert "recommendation rollback" in done.stdout.replace("\n", " ")
    # docs/brief.md §9: the warehouse's planted rise in complaints (week of 16 March) is a client-voice shift
    assert "signal 2026-03-23 client_voice_shift (warning) about team warehouse: series=count, week=2026-03-16, " \
           "value=6" in " ".join(done.stdout.split())
    assert "<td>client_voice_shift</td><td>warning</td><td>team warehouse</td>" in page
    # docs/brief.md §9: home delivery's 2-hour rule is checked; a complaint answered but not resolved in 3 days
    assert "signal 2026-01-06 complaint_overdue (critical) about complaint fb-0003: feedback_id=fb-0003, " \
           "deadline=resolution" in " ".join(done.stdout.split())
    assert "<td>complaint_overdue</td><td>critical</td><td>complaint fb-0003</td>" in page


LINES = (
    Scenario(at="2026-01-01T00:00:00Z")
    .team("ops", id="t").client("shop", id="c").metric("late", id="m")
    .promise("p", "Few late orders", 3, id="p1", at="2026-01-02T00:00:00Z")
    .agreed(id="p2", at="2026-01-03T00:00:00Z", actor="ann")
    .reading(2, id="r1", at="2026-01-06T10:00:00Z")
    .reading(5, id="r2", at="2026-01-13T10:00:00Z")
    .add("AmendPromise", id="p3", promise="p", changes={"target": 5}, reason="peak season", at="2026-01-14T00:00:00Z")
    .at(None)
    .add("RecordFeedback", id="f1", feedback_id="fb1", client="shop", kind="complaint", channel="phone",
         text="Late again", team="ops", occurred_at="2026-01-13T12:00:00Z")
).lines()


def test_retro_reports_what_changed_between_two_dates(tmp_path: Path) -> None:
    store, views = f"sqlite:///{tmp_path / 'l.db'}", tmp_path / "v.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(LINES), check=True)
    html = tmp_path / "retro.html"
    out = cli_json("retro", "--team", "ops", "--from", "2026-01-10", "--to", "2026-01-31", "--html", str(html),
                   store=store, views=views)
    (retro,) = out["retrospectives"]
    assert [(c["event"], c["reason"]) for c in retro["promise_changes"]] == [("Amended", "peak season")]
    assert retro["compliance"]["p"] == [{"period_start": "2026-01-12", "value": 5.0, "target": 3.0, "kept": False,
                                          "in_progress": False}]
    assert retro["complaints"]["received"] == 1 and retro["complaints"]["open"] == 1
    assert html.exists() and "Compliance of p" in html.read_text()
    unknown = run_cli("retro", "--team", "nobody", "--from", "2026-01-01", "--to", "2026-02-01", store=store,
                      views=views)
    assert unknown.returncode != 0 and "nobody" in unknown.stderr


def test_retro_writes_a_file_only_when_asked_and_says_where(tmp_path: Path) -> None:
    store, views = f"sqlite:///{tmp_path / 'l.db'}", tmp_path / "v.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(LINES), check=True)
    folder = tmp_path / "here"
    folder.mkdir()
    span = ("--team", "ops", "--from", "2026-01-10", "--to", "2026-01-31")
    text = run_cli("retro", *span, store=store, views=views, cwd=folder, check=True)
    machine = run_cli("retro", *span, "--json", store=store, views=views, cwd=folder, check=True)
    assert list(folder.iterdir()) == []  # nothing written into the current folder unasked
    assert "ops" in text.stdout and "HTML report" not in text.stdout
    assert json.loads(machine.stdout)["html"] is None
    asked = run_cli("retro", *span, "--html", "r.html", store=store, views=views, cwd=folder, check=True)
    assert [p.name for p in folder.iterdir()] == ["r.html"]
    assert asked.stdout.rstrip().endswith(f"HTML report written to {(folder / 'r.html').resolve()}")


def test_project_follow_keeps_the_views_caught_up(tmp_path: Path) -> None:
    store, views = f"sqlite:///{tmp_path / 'l.db'}", tmp_path / "v.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(LINES[:3]), check=True)
    follower = subprocess.Popen([*CLI, "project", "--follow", "--interval", "0.2", "--store", store,
                                 "--views", str(views)], stderr=subprocess.PIPE, text=True)
    try:
        run_cli("import", "-", store=store, stdin=jsonl(LINES[3:]), check=True)
        deadline = time.monotonic() + 30
        position = 0
        while time.monotonic() < deadline and position < len(LINES):
            time.sleep(0.3)
            try:
                with duckdb.connect(str(views), read_only=True) as con:
                    position = con.execute("SELECT position FROM projection_tracking").fetchone()[0]
            except duckdb.Error:
                continue  # the follower holds the file while it writes: look again
        assert position == len(LINES)
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=30)
    assert follower.returncode == 0


def test_import_json_summary_and_bad_line_report(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'l.db'}"
    text = jsonl(LINES[:2]) + "not json\n" + json.dumps({"type": "AgreePromise", "promise": "ghost"}) + "\n"
    done = run_cli("import", "-", "--json", store=store, stdin=text)
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    assert summary["accepted"] == 2 and summary["rejected"] == 2
    assert [e["line"] for e in summary["errors"]] == [3, 4]
    assert "line 4: AgreePromise: unknown promise 'ghost'" in done.stderr


def test_views_of_another_schema_version_are_rebuilt_not_appended_to(tmp_path: Path) -> None:
    store, views = f"sqlite:///{tmp_path / 'l.db'}", tmp_path / "v.duckdb"
    run_cli("import", "-", store=store, stdin=jsonl(LINES), check=True)
    with duckdb.connect(str(views)) as con:  # a file an older version left: other columns, stale rows
        con.execute("CREATE TABLE projection_tracking (name VARCHAR, position BIGINT, derived_stale BOOLEAN)")
        con.execute("INSERT INTO projection_tracking VALUES ('ledger', 999, false)")
        con.execute("CREATE TABLE readings (position BIGINT, value DOUBLE)")
    shown = cli_json("promise", "show", "p", store=store, views=views)
    assert [row["value"] for row in shown["compliance"]] == [2.0, 5.0]
    with duckdb.connect(str(views), read_only=True) as con:
        assert con.execute("SELECT position FROM projection_tracking").fetchone() == (len(LINES),)
