"""docs/brief.md §10 "Business time from people" in a real browser (issue 17 item 5, "web forms included"): a
promise whose latest event the operator's import dated 2199-12-31 is agreed by a click, at that time."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.commands import parse_command
from domain.service.ledger import Ledger
from tests.support.browser import Served, sign_in
from tests.support.clock import ago

pytestmark = pytest.mark.processes  # a server and a browser


def test_a_click_agrees_a_promise_the_import_dated_far_ahead(browser: Any, served: Served) -> None:
    lines = [
        {"type": "ProposePromise", "promise": "p-far", "promisor": "delivery", "promisee": "kitchen",
         "statement": "Boxes by 11:00", "metric": "ready-pct", "target": 95, "period": "week", "actor": "max",
         "at": ago(days=1)},
        {"type": "CounterPropose", "promise": "p-far", "changes": {"target": 90}, "actor": "kim",
         "at": "2199-12-31T00:00:00Z"},
    ]
    ledger = Ledger.open(served.store)  # the operator's import, beside the running server
    try:
        assert ledger.execute([parse_command(json.dumps(line)) for line in lines]).accepted == [0, 1]
    finally:
        ledger.close()
    context, page = sign_in(browser, served, "lena")  # the promisor team's lead
    try:
        page.goto(served.url("/promises/p-far"))
        page.get_by_role("button", name="Agree", exact=True).click()
        page.wait_for_load_state()
        assert page.locator(".status").first.inner_text() == "agreed"
        status, view = served.api("GET", "/api/promises/p-far", "cora")
        assert status == 200 and view["status"] == "agreed"
        assert view["history"][-1]["event"] == "Agreed" and view["history"][-1]["at"].startswith("2199-12-31")
    finally:
        context.close()
