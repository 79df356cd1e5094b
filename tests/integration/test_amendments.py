"""docs/brief.md §8's DeclineAmendment, imported into a real SQLite store and projected into a real views file:
the store's aggregates and the views agree on what happened."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.base import key_id
from domain.promise import Promise
from domain.service.ledger import Ledger
from projections.queries import promise_view
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.scenario import Scenario

AT = "2026-01-05T09:00:00Z"
LATER = "2026-02-02T09:00:00Z"
END = datetime(2026, 12, 31, tzinfo=UTC)

LINES: list[dict[str, Any]] = [
    *Scenario(at=AT).team("kitchen", id="d01").member("carol", "chef", lead=True, id="d02").client("diner", id="d03")
    .metric("wait", id="d04").promise("fast", "Food in 10 min", 10, id="d05").agreed(id="d06"),
    {"type": "ProposeAmendment", "id": "d07", "promise": "fast", "changes": {"target": 14}, "reason": "summer",
     "at": LATER},
    {"type": "DeclineAmendment", "id": "d08", "promise": "fast", "reason": "not this summer", "at": LATER},
]
"""A promise agreed, an amendment proposed and declined (the import test's every-type check reads them too)."""


def test_a_declined_amendment_leaves_the_agreed_terms_and_shows_in_the_history(sqlite_url: str,
                                                                                tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        summary = import_lines(ledger, jsonl(LINES).splitlines())
        assert summary.errors == [] and summary.accepted == len(LINES)
        promise = ledger.repository.get(key_id(Promise.KIND, "fast"))
        assert (promise.status, promise.target, promise.pending_amendment) == ("agreed", 10, None)
        again = import_lines(ledger, [jsonl([{**LINES[7], "id": "d12"}])])  # nothing is pending any more
        assert "no amendment waiting to be declined" in again.errors[0]["reason"]
        accept = import_lines(ledger, [jsonl([{"type": "AcceptAmendment", "promise": "fast", "at": LATER}])])
        assert "no amendment waiting to be accepted" in accept.errors[0]["reason"]
        catch_up(ledger.recorder, tmp_path / "views.duckdb")
    finally:
        ledger.close()
    con = connect(tmp_path / "views.duckdb")
    try:
        view = promise_view(con, "fast", END)
    finally:
        con.close()
    assert view is not None
    assert (view["status"], view["target"], view["pending_amendment"]) == ("agreed", 10, None)
    assert [(h["event"], h["reason"]) for h in view["history"]][-2:] == [
        ("AmendmentProposed", "summer"), ("AmendmentDeclined", "not this summer")]

