"""What the ledger prints from whatever a store holds: valid JSON always, bounded compliance rows,
and stored text that is shown - never obeyed - by the terminal.

A store written before the edge bounds existed can hold numbers of 1e308, ledger periods
9999-12 / 0000-01 and a reading in year 9999; those are written here past validation
(``model_construct``) and every answer must still work and print valid JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain import commands as c
from domain.service.ledger import Ledger
from tests.support.cli import jsonl, run_cli
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI

AT = "2026-01-05T00:00:00Z"
SETUP = (Scenario(at=AT).team("kitchen").client("ann").metric("ontime")
         .promise("p1", "hot soup", 90, "day").agreed().lines())


def strict_json(text: str) -> Any:
    """Parse as a strict JSON reader would: NaN and Infinity are not JSON."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON output")
    return json.loads(text, parse_constant=refuse)


def legacy(ledger: Ledger, *made: c.Command) -> None:
    result = ledger.execute(list(made))
    assert not result.rejected, result.rejected


def test_values_from_an_older_store_never_break_answers_or_json(store_url: str, tmp_path: Path) -> None:
    run_cli("import", "-", store=store_url, stdin=jsonl(SETUP), check=True)
    ledger = Ledger.open(store_url)
    try:
        legacy(
            ledger,
            c.RecordReading.model_construct(type="RecordReading", metric="ontime", value=1e308,
                                            at=datetime(2026, 2, 1, 8, tzinfo=UTC)),
            c.RecordReading.model_construct(type="RecordReading", metric="ontime", value=1e308,
                                            at=datetime(2026, 2, 1, 9, tzinfo=UTC)),
            c.RecordReading.model_construct(type="RecordReading", metric="ontime", value=50.0,
                                            at=datetime(9999, 6, 1, tzinfo=UTC)),
            *(c.PostLedgerEntry.model_construct(type="PostLedgerEntry", team="kitchen", period=period, kind=kind,
                                                amount=amount, description="")
              for period, kind, amount in [("9999-12", "revenue", 5.0), ("0000-01", "cost", 5.0),
                                           ("2026-03", "revenue", 1e308), ("2026-03", "revenue", 1e308),
                                           ("2026-04", "revenue", 1e308), ("2026-04", "revenue", 1e308),
                                           ("2026-04", "cost", 1e308), ("2026-04", "cost", 1e308)]),
        )
    finally:
        ledger.close()
    views = tmp_path / "views.duckdb"
    for args in (("project", "--rebuild"), ("project",)):
        result = run_cli(*args, store=store_url, views=views)
        assert result.returncode == 0, result.stderr

    promise = strict_json(run_cli("promise", "show", "p1", "--json", store=store_url, views=views, check=True).stdout)
    rows = promise["compliance"]
    by_start = {row["period_start"]: row for row in rows}
    assert by_start["2026-02-01"]["value"] == 1e308  # the mean of two readings of 1e308 is 1e308, not Infinity
    assert len(rows) < 100_000, len(rows)  # rows stop at the end of business time, not in year 9999
    assert rows[-1]["period_start"] < "2200-01-01"

    team = strict_json(run_cli("team", "show", "kitchen", "--json", store=store_url, views=views, check=True).stdout)
    economics = {row["period"]: row for row in team["economics"]}
    assert {"9999-12", "0000-01", "2026-03", "2026-04"} <= set(economics)
    assert economics["2026-03"]["revenue"] is None  # 2e308 has no finite value: null, not Infinity
    assert economics["2026-04"]["net_profit"] is None  # inf - inf: null, not NaN

    retro = run_cli("retro", "--team", "kitchen", "--from", "2026-01-01", "--to", "2026-06-01", "--json",
                    "--html", str(tmp_path / "r.html"), store=store_url, views=views, check=True)
    strict_json(retro.stdout)
    text = run_cli("team", "show", "kitchen", store=store_url, views=views)
    assert text.returncode == 0 and "Traceback" not in text.stderr


INJECTION = "\u001b[2J\u001b]0;PWNED\u0007"
MARKUP = "[red]not markup[/red]"


def test_stored_text_is_shown_not_obeyed_on_the_terminal(sqlite_url: str, tmp_path: Path) -> None:
    lines = (
        Scenario(at=AT).team("kitchen", f"Kitchen {INJECTION}").metric("ontime").client("ann")
        .promise("p1", f"hot soup {INJECTION} {MARKUP}", 90, "day").agreed(reason=f"agreed {INJECTION}")
        .at(None)
        .add("RecordFeedback", feedback_id="f1", client="ann", kind="complaint", channel="app",
             text=f"cold \u202eevil {INJECTION}", team="kitchen", occurred_at=AT)
        .add("ProposeExperiment", experiment="e1", team="kitchen", hypothesis=f"warmer {INJECTION}", metric="ontime",
             design="ab", at=AT)
    ).lines()
    run_cli("import", "-", store=sqlite_url, stdin=jsonl(lines), check=True)
    views = tmp_path / "views.duckdb"
    outputs = [
        run_cli("promise", "show", "p1", store=sqlite_url, views=views, check=True).stdout,
        run_cli("team", "show", "kitchen", store=sqlite_url, views=views, check=True).stdout,
        run_cli("experiment", "show", "e1", store=sqlite_url, views=views, check=True).stdout,
        run_cli("retro", "--team", "kitchen", "--from", "2026-01-01", "--to", "2026-02-01", "--html",
                str(tmp_path / "r.html"), store=sqlite_url, views=views, check=True).stdout,
    ]
    for out in outputs:
        assert "\u001b" not in out and "\u0007" not in out and "\u202e" not in out
    assert "\\x1b[2J" in outputs[0] and MARKUP in outputs[0]  # shown as text, brackets and all
    assert "\\x1b]0;PWNED\\x07" in outputs[1] and "\\u202e" in outputs[1]
    assert "warmer \\x1b" in outputs[2]
    # --json stays exact
    exact = strict_json(run_cli("promise", "show", "p1", "--json", store=sqlite_url, views=views, check=True).stdout)
    assert exact["statement"] == f"hot soup {INJECTION} {MARKUP}"


def test_import_errors_never_write_control_characters_to_the_terminal(sqlite_url: str) -> None:
    result = run_cli("import", "-", store=sqlite_url,
                     stdin='{"type": "FormTeam", "team": "t", "name": "x", "\\u001b[2Jevil": 1}\n')
    assert result.returncode == 1
    assert "\u001b" not in result.stderr and "\\x1b[2Jevil" in result.stderr
