"""A month's payouts under base pay plus a team bonus, as of a moment within the month, split among the members
as of that moment: an as-of answer is the answer of a store holding only the events up to it, so a member who
joins later in the month is not paid yet, and one who leaves later in the month still is.
"""

from __future__ import annotations

from typing import Any

from tests.support.scenario import Scenario
from tests.support.views import answered_in_memory

AS_OF = "2026-01-10T00:00:00Z"
LINES: list[dict[str, Any]] = [
    *Scenario(at="2025-12-01T00:00:00Z").team("e-bonus").member("ana").member("cai").lines(),
    {"type": "ChooseRewardScheme", "team": "e-bonus", "at": "2025-12-15T00:00:00Z", "actor": "council",
     "variant": "base_plus_team_bonus", "share": 0.2, "split": "equal", "base_pay": {"ana": 1000}},
    {"type": "PostLedgerEntry", "team": "e-bonus", "period": "2026-01", "kind": "revenue", "amount": 1000,
     "at": "2026-01-05T12:00:00Z"},
    # later in the month, after the as-of time: bea joins and cai leaves
    {"type": "AddMember", "team": "e-bonus", "person": "bea", "role": "member", "at": "2026-01-20T00:00:00Z"},
    {"type": "RemoveMember", "team": "e-bonus", "person": "cai", "at": "2026-01-25T00:00:00Z"},
]


def _payouts(lines: list[dict[str, Any]], as_of: str | None) -> list[dict[str, Any]]:
    shown = answered_in_memory(lines, "team", ["e-bonus"], [("e-bonus", as_of)] if as_of else [])
    (month,) = shown("e-bonus", as_of)["economics"]
    return month["payouts"]  # type: ignore[no-any-return]


def test_payouts_as_of_mid_month_are_split_among_the_members_as_of_then() -> None:
    prefix = [line for line in LINES if line["at"] <= AS_OF]
    expected = [{"person": "ana", "base_pay": 1000.0, "bonus": 100.0}, {"person": "cai", "base_pay": 0.0,
                                                                        "bonus": 100.0}]
    assert _payouts(prefix, AS_OF) == expected  # the store holding only the events up to the as-of time
    assert _payouts(LINES, AS_OF) == expected
    # the whole month, once it is over: the members at its end
    assert {p["person"]: p["bonus"] for p in _payouts(LINES, None)} == {"ana": 100.0, "bea": 100.0}
