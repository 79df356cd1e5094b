"""Team economics for each reward-scheme variant, and open complaints (docs/brief.md §4), as tests any road to
`team show --json` can answer.

`net_profit = revenue - costs`; `bonus_pool = share × max(0, net_profit)` for the period under the
scheme in force at the period's end (default: team_net_profit_share, share 0.20); the other variants
as docs/brief.md §1 step 8 describes them. Every team is a case of its own in one store.
"""

from __future__ import annotations

from typing import Any

from tests.support.scenario import Scenario

SETUP = "2025-06-01T00:00:00Z"
Money = tuple[str, float, float, float, float]  # period, revenue, costs, net_profit, bonus_pool


def _team(team: str, *members: str, at: str = SETUP) -> list[dict[str, Any]]:
    scenario = Scenario(at=at).team(team, team)
    for person in members:
        scenario.member(person)
    return scenario.lines()


def _month(team: str, period: str, revenue: list[float], costs: list[float], at: str | None = None
           ) -> list[dict[str, Any]]:
    """Ledger entries for one month, posted in that month (several entries of a kind add up)."""
    at = at or f"{period}-20T12:00:00Z"
    lines = [{"type": "PostLedgerEntry", "team": team, "period": period, "kind": "revenue", "amount": amount,
              "at": at} for amount in revenue]
    lines += [{"type": "PostLedgerEntry", "team": team, "period": period, "kind": "cost", "amount": amount,
               "at": at} for amount in costs]
    return lines


def _scheme(team: str, at: str, **scheme: Any) -> dict[str, Any]:
    return {"type": "ChooseRewardScheme", "team": team, "at": at, "actor": "council", **scheme}


def _success(team: str, metric: str, target: float | None, at: str) -> dict[str, Any]:
    return {"type": "SetSuccessMetric", "team": team, "metric": metric, "target": target, "reason": "R", "at": at}


def _feedback(feedback_id: str, kind: str, at: str, client: str = "client", **extra: Any) -> dict[str, Any]:
    return {"type": "RecordFeedback", "feedback_id": feedback_id, "client": client, "kind": kind, "channel": "app",
            "text": f"{kind} {feedback_id}", "occurred_at": at, **extra}


LINES: list[dict[str, Any]] = [
    {"type": "IdentifyClient", "client": "client", "name": "A client", "kind": "external", "at": SETUP},
    {"type": "DefineMetric", "metric": "m", "name": "m", "unit": "u", "direction": "higher_is_better", "at": SETUP},
    # No scheme chosen: 20% of net profit; a loss month has pool 0, and nothing is carried forward.
    *_team("e-default"),
    *_month("e-default", "2026-01", [600, 400], [400]),
    *_month("e-default", "2026-02", [500], [300, 500]),
    *_month("e-default", "2026-03", [1000], [500]),
    # Team net-profit share with another share.
    *_team("e-share"),
    _scheme("e-share", "2025-12-15T00:00:00Z", variant="team_net_profit_share", share=0.35),
    *_month("e-share", "2026-01", [2000], [1000]),
    *_month("e-share", "2026-02", [100], [300]),
    *_month("e-share", "2026-03", [1000], []),
    # Carry-forward of losses: unrecovered losses are deducted before the pool is taken.
    *_team("e-carry"),
    _scheme("e-carry", "2025-12-15T00:00:00Z", variant="team_net_profit_share", share=0.2,
            carry_forward_losses=True),
    *_month("e-carry", "2026-01", [100], [400]),
    *_month("e-carry", "2026-02", [400], [200]),
    *_month("e-carry", "2026-03", [600], [100]),
    *_month("e-carry", "2026-04", [300], []),
    *_month("e-carry", "2026-05", [], [50]),
    *_month("e-carry", "2026-06", [100], []),
    # Company profit share: share × max(0, company net over all teams) × the team's weight.
    # Only these two teams post in 2025-07 and 2025-08, so the company net of those months is theirs.
    *_team("e-company"),
    _scheme("e-company", "2025-06-15T00:00:00Z", variant="company_profit_share", share=0.1, team_weight=0.5),
    *_team("e-other"),
    *_month("e-company", "2025-07", [100], [300]),
    *_month("e-other", "2025-07", [1500], [300]),
    *_month("e-company", "2025-08", [500], [100]),
    *_month("e-other", "2025-08", [], [1000]),
    # Base pay plus a team bonus, split equally, then by hours, then by base pay (one scheme version a month).
    *_team("e-bonus", "ana", "ben", "cai"),
    _scheme("e-bonus", "2025-12-15T00:00:00Z", variant="base_plus_team_bonus", share=0.2, split="equal",
            base_pay={"ana": 1000, "ben": 2000, "cai": 3000}),
    *_month("e-bonus", "2026-01", [1900], [1000]),
    _scheme("e-bonus", "2026-02-10T00:00:00Z", variant="base_plus_team_bonus", share=0.2, split="hours",
            base_pay={"ana": 1000, "ben": 2000, "cai": 3000}, hours={"ana": 10, "ben": 30, "cai": 20}),
    *_month("e-bonus", "2026-02", [1200], []),
    _scheme("e-bonus", "2026-03-10T00:00:00Z", variant="base_plus_team_bonus", share=0.2, split="base_pay",
            base_pay={"ana": 1000, "ben": 2000, "cai": 3000}),
    *_month("e-bonus", "2026-03", [700], [100]),
    *_month("e-bonus", "2026-04", [0], [100]),
    _scheme("e-bonus", "2026-05-10T00:00:00Z", variant="base_plus_team_bonus", share=0.2, split="hours",
            base_pay={"ana": 1000, "ben": 2000, "cai": 3000}, hours={"ana": 10, "ben": 30}),
    *_month("e-bonus", "2026-05", [1000], []),
    # Fixed pay: no pool, however good the month.
    *_team("e-fixed"),
    _scheme("e-fixed", "2025-12-15T00:00:00Z", variant="fixed_pay"),
    *_month("e-fixed", "2026-01", [5000], [1000]),
    # Which scheme is in force at the period's end: chosen mid-month applies to that month; chosen at
    # 00:00 on the 1st of the next month does not; chosen at 23:59:59 on the last day does.
    *_team("e-timing"),
    *_month("e-timing", "2026-01", [2000], [1000]),
    _scheme("e-timing", "2026-02-10T00:00:00Z", variant="team_net_profit_share", share=0.3),
    *_month("e-timing", "2026-02", [2000], [1000]),
    _scheme("e-timing", "2026-03-01T00:00:00Z", variant="fixed_pay"),
    *_month("e-timing", "2026-03", [2000], [1000], at="2026-03-05T00:00:00Z"),
    _scheme("e-timing", "2026-03-31T23:59:59Z", variant="team_net_profit_share", share=0.4),
    *_month("e-timing", "2026-04", [2000], [1000]),
    # Growth (docs/brief.md §11): against the month before and the same month a year earlier; a base month without
    # entries (2025-04, 2025-12) or a zero base (2025-02's revenue, 2025-05's net profit) has no growth. No month
    # here is 2025-07 or 2025-08 (e-company's company net). Net profit 0 (2025-05) is self-funded.
    *_team("e-growth", at="2024-12-01T00:00:00Z"),
    *_month("e-growth", "2025-01", [100], [50]),
    *_month("e-growth", "2025-02", [0], [80]),
    *_month("e-growth", "2025-03", [200], [100]),
    *_month("e-growth", "2025-05", [150], [150]),
    *_month("e-growth", "2025-06", [300], [100]),
    *_month("e-growth", "2026-01", [130], [30]),
    *_month("e-growth", "2026-02", [50], [100]),
    *_month("e-growth", "2026-03", [100], [300]),
    # Self-funded months count the latest 12 months with entries: 14 months, the third a loss, the first two
    # (outside the window) self-funded.
    *_team("e-window", at="2022-12-01T00:00:00Z"),
    *(line for index in range(14) for line in _month(
        "e-window", f"{2023 + index // 12}-{index % 12 + 1:02d}", [100], [200 if index == 2 else 50])),
    # The success metric (lower is better) by month, its target changing over time, and a team that changes metric.
    {"type": "DefineMetric", "metric": "answer", "name": "Minutes to answer", "unit": "min",
     "direction": "lower_is_better", "at": SETUP},
    *_team("e-success"),
    *({"type": "RecordReading", "metric": "answer", "value": value, "at": at} for value, at in (
        (10, "2026-01-10T00:00:00Z"), (20, "2026-01-20T00:00:00Z"), (8, "2026-02-05T00:00:00Z"),
        (12, "2026-04-10T00:00:00Z"), (14, "2026-04-11T00:00:00Z"))),
    _success("e-success", "answer", 12, "2026-01-15T00:00:00Z"),
    _success("e-success", "answer", 14, "2026-03-01T00:00:00Z"),  # in force at March's start
    _success("e-success", "answer", 10, "2026-04-15T00:00:00Z"),  # after April's start: May on
    *_team("e-switch"),
    _success("e-switch", "m", 1, "2026-01-05T00:00:00Z"),
    _success("e-switch", "answer", None, "2026-02-10T00:00:00Z"),
    # Feedback: open complaints of the "support" team.
    *_team("support"),
    {"type": "ProposePromise", "promise": "p-support", "promisor": "support", "promisee": "client",
     "statement": "answers within a day", "metric": "m", "target": 1, "period": "day", "at": SETUP},
    _feedback("f1", "complaint", "2026-01-05T10:00:00Z", team="support"),
    _feedback("f2", "complaint", "2026-01-06T10:00:00Z", team="support", rating=2),
    _feedback("f3", "praise", "2026-01-07T10:00:00Z", team="support", rating=10),
    _feedback("f4", "complaint", "2026-01-08T10:00:00Z", client="walk-in-stranger", team="support"),
    _feedback("f5", "complaint", "2026-01-09T10:00:00Z", promise="p-support"),  # owned through its promise
    _feedback("f6", "complaint", "2026-01-09T11:00:00Z", team="e-default"),
    _feedback("f7", "rating", "2026-01-09T12:00:00Z", team="support", rating=3),
    _feedback("f8", "suggestion", "2026-01-09T13:00:00Z", team="support"),
    {"type": "ResolveFeedback", "feedback_id": "f1", "resolution": "refunded", "at": "2026-01-10T10:00:00Z"},
]


TEAMS = ("e-default", "e-share", "e-carry", "e-company", "e-other", "e-bonus", "e-fixed", "e-timing", "support",
         "e-growth", "e-window", "e-success", "e-switch")
AS_OF = [("e-timing", "2026-03-15T00:00:00Z"), ("support", "2026-01-09T12:00:00Z"),
         ("support", "2026-01-06T00:00:00Z"), ("e-carry", "2026-02-28T00:00:00Z"),
         ("e-growth", "2025-06-30T00:00:00Z"), ("e-success", "2026-01-14T23:59:59Z"),
         ("e-success", "2026-02-10T00:00:00Z")]


def money(view: dict[str, Any]) -> list[Money]:
    result = []
    for row in view["economics"]:
        assert set(row) >= {"period", "revenue", "costs", "net_profit", "bonus_pool"}
        result.append((row["period"], *(round(row[k], 6) for k in ("revenue", "costs", "net_profit", "bonus_pool"))))
    return result


def payouts(row: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {p["person"]: (round(p["base_pay"], 6), round(p["bonus"], 6)) for p in row["payouts"]}


def _open(view: dict[str, Any]) -> list[str]:
    return [c["feedback_id"] for c in view["open_complaints"]]


class EconomicsRules:
    """Every rule as a test of ``shown(team, as_of=None)``, the answer of ``team show --json``
    (each test module provides that fixture: its store and its road to the answer)."""

    def test_default_scheme_is_20_percent_of_net_profit_and_a_loss_month_pays_nothing(self, shown: Any) -> None:
        assert money(shown("e-default")) == [
            ("2026-01", 1000, 400, 600, 120),
            ("2026-02", 500, 800, -300, 0),
            ("2026-03", 1000, 500, 500, 100),  # no carry-forward unless the scheme says so
        ]

    def test_team_net_profit_share_with_another_share(self, shown: Any) -> None:
        assert money(shown("e-share")) == [
            ("2026-01", 2000, 1000, 1000, 350),
            ("2026-02", 100, 300, -200, 0),
            ("2026-03", 1000, 0, 1000, 350),
        ]

    def test_carry_forward_losses_deducts_unrecovered_losses_first(self, shown: Any) -> None:
        assert money(shown("e-carry")) == [
            ("2026-01", 100, 400, -300, 0),
            ("2026-02", 400, 200, 200, 0),  # recovers 200 of the 300
            ("2026-03", 600, 100, 500, 80),  # recovers the last 100: 20% of 400
            ("2026-04", 300, 0, 300, 60),
            ("2026-05", 0, 50, -50, 0),
            ("2026-06", 100, 0, 100, 10),  # 20% of (100 - 50)
        ]

    def test_carry_forward_as_of_before_recovery(self, shown: Any) -> None:
        assert money(shown("e-carry", "2026-02-28T00:00:00Z")) == [
            ("2026-01", 100, 400, -300, 0),
            ("2026-02", 400, 200, 200, 0),
        ]

    def test_company_profit_share_uses_company_net_and_team_weight(self, shown: Any) -> None:
        assert money(shown("e-company")) == [
            ("2025-07", 100, 300, -200, 50),  # 0.1 × (−200 + 1200) × 0.5, though the team itself lost money
            ("2025-08", 500, 100, 400, 0),  # company net −600: no pool, though the team made a profit
        ]
        assert money(shown("e-other")) == [("2025-07", 1500, 300, 1200, 240), ("2025-08", 0, 1000, -1000, 0)]

    def test_base_plus_team_bonus_splits_the_pool(self, shown: Any) -> None:
        view = shown("e-bonus")
        assert money(view) == [
            ("2026-01", 1900, 1000, 900, 180),
            ("2026-02", 1200, 0, 1200, 240),
            ("2026-03", 700, 100, 600, 120),
            ("2026-04", 0, 100, -100, 0),
            ("2026-05", 1000, 0, 1000, 200),
        ]
        january, february, march, april, _ = view["economics"]
        assert payouts(january) == {"ana": (1000, 60), "ben": (2000, 60), "cai": (3000, 60)}  # equal
        assert payouts(february) == {"ana": (1000, 40), "ben": (2000, 120), "cai": (3000, 80)}  # hours 10/30/20
        assert payouts(march) == {"ana": (1000, 20), "ben": (2000, 40), "cai": (3000, 60)}  # base pay 1/2/3
        assert payouts(april) == {"ana": (1000, 0), "ben": (2000, 0), "cai": (3000, 0)}

    def test_base_plus_team_bonus_pays_base_to_members_without_hours(self, shown: Any) -> None:
        may = shown("e-bonus")["economics"][-1]
        assert payouts(may) == {"ana": (1000, 50), "ben": (2000, 150), "cai": (3000, 0)}

    def test_fixed_pay_has_no_pool(self, shown: Any) -> None:
        assert money(shown("e-fixed")) == [("2026-01", 5000, 1000, 4000, 0)]

    def test_scheme_in_force_at_the_period_end(self, shown: Any) -> None:
        assert money(shown("e-timing")) == [
            ("2026-01", 2000, 1000, 1000, 200),  # the default
            ("2026-02", 2000, 1000, 1000, 300),  # chosen on Feb 10th: applies to February
            ("2026-03", 2000, 1000, 1000, 400),  # fixed_pay from Mar 1st 00:00, replaced at 23:59:59 on Mar 31st
            ("2026-04", 2000, 1000, 1000, 400),
        ]

    def test_scheme_in_force_as_of_mid_month(self, shown: Any) -> None:
        assert money(shown("e-timing", "2026-03-15T00:00:00Z")) == [
            ("2026-01", 2000, 1000, 1000, 200),
            ("2026-02", 2000, 1000, 1000, 300),  # fixed_pay chosen at 00:00 on March 1st is not February's scheme
            ("2026-03", 2000, 1000, 1000, 0),
        ]

    def test_open_complaints(self, shown: Any) -> None:
        view = shown("support")
        assert _open(view) == ["f2", "f4", "f5"]  # f1 resolved; praise, rating and suggestion are not complaints
        identified = {c["feedback_id"]: c["client_identified"] for c in view["open_complaints"]}
        assert identified == {"f2": True, "f4": False, "f5": True}
        assert {c["client"] for c in view["open_complaints"]} == {"client", "walk-in-stranger"}
        assert _open(shown("e-default")) == ["f6"]

    def test_open_complaints_as_of_before_the_resolution(self, shown: Any) -> None:
        assert _open(shown("support", "2026-01-09T12:00:00Z")) == ["f1", "f2", "f4", "f5"]
        assert _open(shown("support", "2026-01-06T00:00:00Z")) == ["f1"]


def _growth(view: dict[str, Any]) -> list[tuple[str, Any, Any, Any, bool]]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 9)

    return [(row["period"], rounded(row["revenue_growth"]), rounded(row["net_profit_growth"]),
             rounded(row["revenue_growth_yoy"]), row["self_funded"]) for row in view["economics"]]


def _months(view: dict[str, Any]) -> list[tuple[str, Any, Any, Any]]:
    return [(m["period_start"], m["value"], m["target"], m["kept"]) for m in view["success_metric"]["by_period"]]


class GrowthRules:
    """docs/brief.md §11 growth and success metric, as ``shown(team, as_of=None)`` answers them: every value here
    computed by hand."""

    def test_growth_against_the_month_before_and_a_year_earlier(self, shown: Any) -> None:
        assert _growth(shown("e-growth")) == [
            ("2025-01", None, None, None, True),  # nothing before
            ("2025-02", -1.0, -2.6, None, False),  # (0-100)/100, (-80-50)/50
            ("2025-03", None, 2.25, None, True),  # revenue base 0; (100-(-80))/|-80|
            ("2025-05", None, None, None, True),  # April has no entries; net profit 0 is self-funded
            ("2025-06", 1.0, None, None, True),  # (300-150)/150; net profit base 0
            ("2026-01", None, None, 0.3, True),  # December has no entries; (130-100)/100 a year on
            ("2026-02", round(-80 / 130, 9), -1.5, None, False),  # a year earlier the revenue was 0
            ("2026-03", 1.0, -3.0, -0.5, False),  # (-200-(-50))/50; (100-200)/200
        ]
        assert shown("e-growth")["self_funded_months"] == 5

    def test_growth_as_of_sees_only_the_months_then(self, shown: Any) -> None:
        view = shown("e-growth", "2025-06-30T00:00:00Z")
        assert _growth(view)[-1] == ("2025-06", 1.0, None, None, True)
        assert view["self_funded_months"] == 4

    def test_self_funded_months_counts_the_latest_twelve_months_with_entries(self, shown: Any) -> None:
        view = shown("e-window")
        assert [row["self_funded"] for row in view["economics"]].count(True) == 13
        assert view["self_funded_months"] == 11  # the loss in 2023-03 is inside the window; 2023-01/02 are not
        assert shown("e-default")["self_funded_months"] == 2

    def test_success_metric_by_month_against_the_target_in_force_at_its_start(self, shown: Any) -> None:
        metric = shown("e-success")["success_metric"]
        assert (metric["metric"], metric["target"], metric["since"]) == ("answer", 10, "2026-01-15T00:00:00+00:00")
        assert _months(shown("e-success")) == [
            ("2026-01-01", 15, 12, False),  # the month of `since`, against the target set then; lower is better
            ("2026-02-01", 8, 12, True),
            ("2026-03-01", None, 14, None),  # no readings
            ("2026-04-01", 13, 14, True),  # 14 in force at April's start (10 came on the 15th)
        ]

    def test_success_metric_as_of(self, shown: Any) -> None:
        assert shown("e-success", "2026-01-14T23:59:59Z")["success_metric"] is None  # not set yet
        view = shown("e-success", "2026-02-10T00:00:00Z")
        assert view["success_metric"]["target"] == 12
        assert _months(view) == [("2026-01-01", 15, 12, False), ("2026-02-01", 8, 12, True)]
        assert shown("e-default")["success_metric"] is None

    def test_a_new_metric_starts_again_and_no_target_judges_nothing(self, shown: Any) -> None:
        metric = shown("e-switch")["success_metric"]
        assert (metric["metric"], metric["target"], metric["since"]) == ("answer", None, "2026-02-10T00:00:00+00:00")
        assert _months(shown("e-switch")) == [("2026-02-01", 8, None, None), ("2026-03-01", None, None, None),
                                              ("2026-04-01", 13, None, None)]
