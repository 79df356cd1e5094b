"""docs/brief.md §10's DelegateConsent / WithdrawConsent, imported into a real SQLite store and projected into a real
views file: the team aggregate and the views agree on who holds a team's consent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.base import key_id
from domain.service.ledger import Ledger
from domain.team import Team
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.scenario import Scenario

AT = "2026-01-05T09:00:00Z"
LATER = "2026-02-02T09:00:00Z"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
END = datetime(2026, 12, 31, tzinfo=UTC)

LINES: list[dict[str, Any]] = [
    *Scenario(at=AT).team("kitchen", id="d01").member("carol", "chef", lead=True, id="d02"),
    {"type": "DelegateConsent", "id": "d09", "team": "kitchen", "person": "dave", "at": AT},
    {"type": "DelegateConsent", "id": "d10", "team": "kitchen", "person": "erin", "at": AT},
    {"type": "WithdrawConsent", "id": "d11", "team": "kitchen", "person": "dave", "at": LATER},
]
"""Consent delegated twice and withdrawn once (the import test's every-type check reads them too)."""


def test_consent_holders_are_recorded_on_the_team_and_in_the_views(sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        assert import_lines(ledger, jsonl(LINES).splitlines()).errors == []
        assert ledger.repository.get(key_id(Team.KIND, "kitchen")).consent_holders == {"erin"}
        twice = import_lines(ledger, [jsonl([{**LINES[3], "id": "d13", "at": LATER}])])
        assert "erin already holds team kitchen's consent" in twice.errors[0]["reason"]
        absent = import_lines(ledger, [jsonl([{**LINES[4], "id": "d14"}])])
        assert "dave does not hold team kitchen's consent" in absent.errors[0]["reason"]
        catch_up(ledger.recorder, tmp_path / "views.duckdb")
    finally:
        ledger.close()
    con = connect(tmp_path / "views.duckdb")
    try:
        rows = con.execute("SELECT team, person, change FROM team_consent_holders ORDER BY position").fetchall()
        holders = {moment: con.execute("SELECT person FROM consent_holders_as_of(?) ORDER BY person",
                                       [moment.replace(tzinfo=None)]).fetchall() for moment in (START, END)}
    finally:
        con.close()
    assert rows == [("kitchen", "dave", "delegated"), ("kitchen", "erin", "delegated"),
                    ("kitchen", "dave", "withdrawn")]
    assert holders == {START: [("dave",), ("erin",)], END: [("erin",)]}
