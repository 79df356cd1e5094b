"""Promise compliance edge cases (docs/brief.md §4), as tests any road to `promise show --json` can answer.

Rules under test: a period's value is the mean of the metric's readings in it; kept when the
value meets the target in force at the period's start (>= or <= by direction; an amendment
counts from the next period); UTC calendar days, ISO weeks (Monday start), calendar months;
rows run from the first period starting at or after agreement through the latest period
holding a reading, and stop before the period in which the promise was retired; a period
without a reading has value and kept null.

Each case is a promise with a metric of its own, so all cases share one store, one import and
one batch of answers: the integration tests import them into SQLite (answered through the CLI) and
PostgreSQL (in-process), the unit tests into the in-memory store and in-memory views.
"""

from __future__ import annotations

from typing import Any

from tests.support.scenario import Scenario

SETUP = "2025-06-01T00:00:00Z"
Row = tuple[str, float | None, float, bool | None]


def _metric(metric: str, direction: str = "higher_is_better") -> dict[str, Any]:
    return {"type": "DefineMetric", "metric": metric, "name": metric, "unit": "u", "direction": direction,
            "at": SETUP}


def _propose(promise: str, metric: str, target: float, period: str, at: str) -> dict[str, Any]:
    return {"type": "ProposePromise", "id": f"{promise}-proposed", "promise": promise, "promisor": "team",
            "promisee": "client", "statement": f"we keep {promise}", "metric": metric, "target": target,
            "period": period, "at": at, "actor": "lead"}


def _agree(promise: str, at: str) -> dict[str, Any]:
    return {"type": "AgreePromise", "promise": promise, "at": at, "actor": "client-rep"}


def _readings(metric: str, *readings: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"type": "RecordReading", "metric": metric, "value": value, "at": at} for at, value in readings]


CASES: dict[str, list[dict[str, Any]]] = {
    # Day periods; agreement exactly at midnight; 23:59:59 vs 00:00:00; +03:00 offsets land in the UTC day.
    "p-day": [
        _metric("m-day"),
        _propose("p-day", "m-day", 5, "day", "2026-01-01T00:00:00Z"),
        _agree("p-day", "2026-01-02T00:00:00Z"),
        *_readings(
            "m-day",
            ("2026-01-01T12:00:00Z", 100),  # before agreement
            ("2026-01-02T23:59:59Z", 6),
            ("2026-01-03T00:00:00Z", 2),
            ("2026-01-04T01:00:00+03:00", 4),  # 2026-01-03T22:00Z
            ("2026-01-04T02:59:59+03:00", 6),  # 2026-01-03T23:59:59Z
            ("2026-01-05T03:00:00+03:00", 8),  # 2026-01-05T00:00Z
        ),
    ],
    # Agreement at 23:59:59 is mid-period: the next day is the first; a reading at that instant is ignored.
    "p-day-late": [
        _metric("m-day-late"),
        _propose("p-day-late", "m-day-late", 1, "day", "2026-01-01T00:00:00Z"),
        _agree("p-day-late", "2026-01-01T23:59:59Z"),
        *_readings("m-day-late", ("2026-01-01T23:59:59Z", 0), ("2026-01-02T00:00:00Z", 1)),
    ],
    # ISO weeks across the year end: agreed Wednesday 2025-12-24, first week Monday 2025-12-29 (2026-W01).
    "p-week": [
        _metric("m-week"),
        _propose("p-week", "m-week", 10, "week", "2025-12-20T00:00:00Z"),
        _agree("p-week", "2025-12-24T10:00:00Z"),
        *_readings(
            "m-week",
            ("2025-12-28T23:59:59Z", 0),  # after agreement, but in the agreement's week
            ("2025-12-29T00:00:00Z", 12),
            ("2026-01-01T12:00:00Z", 10),
            ("2026-01-04T23:59:59Z", 5),  # Sunday: still week 2025-12-29
            ("2026-01-05T00:00:00Z", 11),
            ("2026-01-19T09:00:00Z", 10),
            ("2026-01-26T02:00:00+03:00", 10),  # Sunday 2026-01-25T23:00Z: week 2026-01-19
        ),
    ],
    # Agreement exactly at a Monday 00:00 UTC: that week counts; lower_is_better with <=.
    "p-week-start": [
        _metric("m-week-start", "lower_is_better"),
        _propose("p-week-start", "m-week-start", 3, "week", "2026-01-01T00:00:00Z"),
        _agree("p-week-start", "2026-01-05T00:00:00Z"),
        *_readings(
            "m-week-start",
            ("2026-01-04T23:59:59Z", 100),
            ("2026-01-05T00:00:00Z", 3),
            ("2026-01-12T00:00:00Z", 4),
        ),
    ],
    # Calendar months, lower_is_better, agreement exactly at a month start, offsets across month ends.
    "p-month": [
        _metric("m-month", "lower_is_better"),
        _propose("p-month", "m-month", 3, "month", "2025-12-15T00:00:00Z"),
        _agree("p-month", "2026-01-01T00:00:00Z"),
        *_readings(
            "m-month",
            ("2025-12-31T23:59:59Z", 50),
            ("2026-01-31T23:59:59Z", 3),
            ("2026-02-01T00:00:00Z", 4),
            ("2026-02-15T12:00:00Z", 2),
            ("2026-03-01T02:00:00+03:00", 3),  # 2026-02-28T23:00Z
            ("2026-03-31T23:30:00-01:00", 5),  # 2026-04-01T00:30Z
        ),
    ],
    # Agreement mid-month: the next month is the first; a reading after agreement in its month is ignored.
    "p-month-mid": [
        _metric("m-month-mid"),
        _propose("p-month-mid", "m-month-mid", 5, "month", "2026-01-10T00:00:00Z"),
        _agree("p-month-mid", "2026-01-15T08:00:00Z"),
        *_readings("m-month-mid", ("2026-01-20T00:00:00Z", 1), ("2026-02-10T00:00:00Z", 7)),
    ],
    # Counter-proposals before agreement: the agreed terms are the latest countered ones (target and period).
    "p-counter": [
        _metric("m-counter"),
        _propose("p-counter", "m-counter", 95, "week", "2026-01-01T00:00:00Z"),
        {"type": "CounterPropose", "promise": "p-counter", "changes": {"target": 90}, "at": "2026-01-02T00:00:00Z",
         "actor": "client-rep", "reason": "too ambitious"},
        {"type": "CounterPropose", "promise": "p-counter", "changes": {"target": 92, "period": "day"},
         "at": "2026-01-03T00:00:00Z", "actor": "lead", "reason": "meet in the middle, daily"},
        _agree("p-counter", "2026-01-05T00:00:00Z"),
        *_readings("m-counter", ("2026-01-05T10:00:00Z", 93), ("2026-01-06T10:00:00Z", 91)),
    ],
    # Amendments: mid-period counts from the next period; exactly at a period start counts for that period.
    "p-amend": [
        _metric("m-amend"),
        _propose("p-amend", "m-amend", 10, "week", "2026-01-01T00:00:00Z"),
        _agree("p-amend", "2026-01-05T00:00:00Z"),
        {"type": "AmendPromise", "promise": "p-amend", "changes": {"target": 20}, "reason": "raise the bar",
         "at": "2026-01-14T12:00:00Z", "actor": "council"},
        {"type": "AmendPromise", "promise": "p-amend", "changes": {"target": 30}, "reason": "raise it again",
         "at": "2026-01-26T00:00:00Z", "actor": "council"},
        *_readings(
            "m-amend",
            ("2026-01-06T12:00:00Z", 15),
            ("2026-01-13T12:00:00Z", 15),
            ("2026-01-15T12:00:00Z", 9),
            ("2026-01-20T12:00:00Z", 15),
            ("2026-01-27T12:00:00Z", 25),
        ),
    ],
    # Retirement mid-period: rows stop before the retirement month (its and later readings are not rows).
    "p-retire": [
        _metric("m-retire"),
        _propose("p-retire", "m-retire", 5, "month", "2025-12-01T00:00:00Z"),
        _agree("p-retire", "2026-01-01T00:00:00Z"),
        {"type": "RetirePromise", "promise": "p-retire", "reason": "client moved on", "at": "2026-03-10T00:00:00Z"},
        *_readings(
            "m-retire",
            ("2026-01-10T00:00:00Z", 6),
            ("2026-02-10T00:00:00Z", 4),
            ("2026-03-05T00:00:00Z", 6),
            ("2026-04-05T00:00:00Z", 6),
        ),
    ],
    # Retirement exactly at a period start: that period is the retirement period, so it is not a row.
    "p-retire-start": [
        _metric("m-retire-start"),
        _propose("p-retire-start", "m-retire-start", 5, "month", "2025-12-01T00:00:00Z"),
        _agree("p-retire-start", "2026-01-01T00:00:00Z"),
        {"type": "RetirePromise", "promise": "p-retire-start", "reason": "done", "at": "2026-03-01T00:00:00Z"},
        *_readings(
            "m-retire-start",
            ("2026-01-10T00:00:00Z", 6),
            ("2026-02-10T00:00:00Z", 6),
            ("2026-03-01T00:00:00Z", 6),
        ),
    ],
    # The metric keeps being read after retirement: the latest period holding a reading is past the
    # retirement, so the rows run up to the retirement period, unmeasured months included as nulls.
    "p-retire-gap": [
        _metric("m-retire-gap"),
        _propose("p-retire-gap", "m-retire-gap", 5, "month", "2025-12-01T00:00:00Z"),
        _agree("p-retire-gap", "2026-01-01T00:00:00Z"),
        {"type": "RetirePromise", "promise": "p-retire-gap", "reason": "replaced", "at": "2026-04-10T00:00:00Z"},
        *_readings("m-retire-gap", ("2026-01-10T00:00:00Z", 6), ("2026-05-10T00:00:00Z", 6)),
    ],
    # Only readings before agreement or inside the agreement's own period: no rows at all.
    "p-pre-only": [
        _metric("m-pre-only"),
        _propose("p-pre-only", "m-pre-only", 5, "day", "2026-01-01T00:00:00Z"),
        _agree("p-pre-only", "2026-01-10T12:00:00Z"),
        *_readings("m-pre-only", ("2026-01-09T00:00:00Z", 9), ("2026-01-10T18:00:00Z", 9)),
    ],
    # Never agreed: no compliance rows, whatever the readings.
    "p-proposed": [
        _metric("m-proposed"),
        _propose("p-proposed", "m-proposed", 5, "day", "2026-01-01T00:00:00Z"),
        *_readings("m-proposed", ("2026-01-02T00:00:00Z", 9)),
    ],
    # Retired while still under negotiation: retired, and never any rows.
    "p-retired-unagreed": [
        _metric("m-retired-unagreed"),
        _propose("p-retired-unagreed", "m-retired-unagreed", 5, "day", "2026-01-01T00:00:00Z"),
        {"type": "RetirePromise", "promise": "p-retired-unagreed", "reason": "no deal", "at": "2026-01-03T00:00:00Z"},
        *_readings("m-retired-unagreed", ("2026-01-04T00:00:00Z", 9)),
    ],
}


AS_OF: list[tuple[str, str]] = [
    ("p-counter", "2026-01-02T12:00:00Z"),
    ("p-counter", "2026-01-03T12:00:00Z"),
    ("p-amend", "2026-01-14T00:00:00Z"),
    ("p-amend", "2026-01-20T12:00:00Z"),
    ("p-amend", "2026-01-20T13:00:00+03:00"),  # = 10:00Z: before the reading of 2026-01-20T12:00Z
    ("p-retire", "2026-03-09T00:00:00Z"),
    ("p-week", "2025-12-23T00:00:00Z"),  # proposed, not yet agreed
]


def scenario_lines() -> list[dict[str, Any]]:
    setup = Scenario(at=SETUP).team("team", "The team").client("client", "The client").lines()
    return setup + [line for lines in CASES.values() for line in lines]


def rows(view: dict[str, Any]) -> list[Row]:
    result = []
    for row in view["compliance"]:
        assert set(row) >= {"period_start", "value", "target", "kept"}
        assert len(row["period_start"]) == 10  # a date, YYYY-MM-DD
        value = None if row["value"] is None else round(row["value"], 9)
        result.append((row["period_start"], value, row["target"], row["kept"]))
    return result


class ComplianceRules:
    """Every rule as a test of ``shown(promise, as_of=None)``, the answer of ``promise show --json``
    (each test module provides that fixture: its store and its road to the answer)."""

    def test_day_periods_are_utc_days(self, shown: Any) -> None:
        assert rows(shown("p-day")) == [
            ("2026-01-02", 6.0, 5.0, True),  # the reading at 23:59:59 is still this day
            ("2026-01-03", 4.0, 5.0, False),  # 00:00:00 plus two +03:00 readings from the evening: mean of 2, 4, 6
            ("2026-01-04", None, 5.0, None),
            ("2026-01-05", 8.0, 5.0, True),  # 03:00+03:00 is midnight UTC
        ]

    def test_agreement_mid_day_starts_the_next_day(self, shown: Any) -> None:
        assert rows(shown("p-day-late")) == [("2026-01-02", 1.0, 1.0, True)]

    def test_iso_weeks_start_monday_across_the_year_end(self, shown: Any) -> None:
        assert rows(shown("p-week")) == [
            ("2025-12-29", 9.0, 10.0, False),  # ISO week 2026-W01, Monday 2025-12-29 to Sunday 2026-01-04
            ("2026-01-05", 11.0, 10.0, True),
            ("2026-01-12", None, 10.0, None),
            ("2026-01-19", 10.0, 10.0, True),  # equal to the target is kept; the Sunday 23:00Z reading is in it
        ]

    def test_agreement_exactly_at_week_start_counts_that_week_lower_is_better(self, shown: Any) -> None:
        assert rows(shown("p-week-start")) == [
            ("2026-01-05", 3.0, 3.0, True),
            ("2026-01-12", 4.0, 3.0, False),
        ]

    def test_calendar_months_lower_is_better_and_gaps(self, shown: Any) -> None:
        assert rows(shown("p-month")) == [
            ("2026-01-01", 3.0, 3.0, True),
            ("2026-02-01", 3.0, 3.0, True),  # 4, 2 and 3 (the 02:00+03:00 reading of March 1st is February 28th UTC)
            ("2026-03-01", None, 3.0, None),
            ("2026-04-01", 5.0, 3.0, False),  # 23:30-01:00 on March 31st is April 1st UTC
        ]

    def test_agreement_mid_month_starts_the_next_month(self, shown: Any) -> None:
        assert rows(shown("p-month-mid")) == [("2026-02-01", 7.0, 5.0, True)]

    def test_counter_proposals_before_agreement_set_the_agreed_terms(self, shown: Any) -> None:
        view = shown("p-counter")
        assert (view["status"], view["target"], view["period"]) == ("agreed", 92.0, "day")
        assert [h["event"] for h in view["history"]] == ["Proposed", "CounterProposed", "CounterProposed", "Agreed"]
        assert view["history"][2]["changes"] == {"target": 92.0, "period": "day"}
        assert rows(view) == [
            ("2026-01-05", 93.0, 92.0, True),  # missed against the first proposal (95)
            ("2026-01-06", 91.0, 92.0, False),  # kept against the first counter (90)
        ]

    def test_counter_proposal_as_of_negotiation(self, shown: Any) -> None:
        first = shown("p-counter", "2026-01-02T12:00:00Z")
        assert (first["status"], first["target"], first["period"], first["compliance"]) == (
            "proposed", 90.0, "week", [])
        second = shown("p-counter", "2026-01-03T12:00:00Z")
        assert (second["status"], second["target"], second["period"], second["compliance"]) == (
            "proposed", 92.0, "day", [])
        assert len(second["history"]) == 3

    def test_amendment_mid_period_counts_from_the_next_period(self, shown: Any) -> None:
        view = shown("p-amend")
        assert (view["status"], view["target"]) == ("agreed", 30.0)
        assert [h["event"] for h in view["history"]][-2:] == ["Amended", "Amended"]
        assert view["history"][-1]["reason"] == "raise it again"
        assert rows(view) == [
            ("2026-01-05", 15.0, 10.0, True),
            ("2026-01-12", 12.0, 10.0, True),  # amended to 20 on Wednesday: this week is still judged against 10
            ("2026-01-19", 15.0, 20.0, False),
            ("2026-01-26", 25.0, 30.0, False),  # amended exactly at Monday 00:00: 30 from this week
        ]

    def test_compliance_as_of_mid_way(self, shown: Any) -> None:
        before = shown("p-amend", "2026-01-14T00:00:00Z")
        assert (before["target"], before["version"]) == (10.0, 2)
        # the week of 2026-01-12 is in progress on the 14th: its value so far, never kept nor missed yet
        assert rows(before) == [("2026-01-05", 15.0, 10.0, True), ("2026-01-12", 15.0, 10.0, None)]
        assert [row["in_progress"] for row in before["compliance"]] == [False, True]
        at_reading = shown("p-amend", "2026-01-20T12:00:00Z")  # a reading exactly at T is included
        assert (at_reading["target"], at_reading["version"]) == (20.0, 3)
        assert rows(at_reading) == [
            ("2026-01-05", 15.0, 10.0, True),
            ("2026-01-12", 12.0, 10.0, True),
            ("2026-01-19", 15.0, 20.0, None),  # in progress (below 20 so far)
        ]
        offset = shown("p-amend", "2026-01-20T13:00:00+03:00")  # 10:00Z, before that reading
        assert rows(offset) == [("2026-01-05", 15.0, 10.0, True), ("2026-01-12", 12.0, 10.0, True)]

    def test_retirement_stops_rows_before_the_retirement_period(self, shown: Any) -> None:
        view = shown("p-retire")
        assert view["status"] == "retired"
        assert rows(view) == [("2026-01-01", 6.0, 5.0, True), ("2026-02-01", 4.0, 5.0, False)]
        before = shown("p-retire", "2026-03-09T00:00:00Z")
        assert before["status"] == "agreed"
        assert rows(before) == [
            ("2026-01-01", 6.0, 5.0, True),
            ("2026-02-01", 4.0, 5.0, False),
            ("2026-03-01", 6.0, 5.0, None),  # March is in progress on the 9th
        ]

    def test_retirement_exactly_at_period_start(self, shown: Any) -> None:
        assert rows(shown("p-retire-start")) == [("2026-01-01", 6.0, 5.0, True), ("2026-02-01", 6.0, 5.0, True)]

    def test_retired_promise_rows_run_to_retirement_when_readings_continue(self, shown: Any) -> None:
        assert rows(shown("p-retire-gap")) == [
            ("2026-01-01", 6.0, 5.0, True),
            ("2026-02-01", None, 5.0, None),
            ("2026-03-01", None, 5.0, None),
        ]

    def test_readings_before_agreement_are_ignored(self, shown: Any) -> None:
        view = shown("p-pre-only")
        assert view["status"] == "agreed"
        assert view["compliance"] == []

    def test_unagreed_promises_have_no_compliance(self, shown: Any) -> None:
        proposed = shown("p-proposed")
        assert (proposed["status"], proposed["compliance"]) == ("proposed", [])
        retired = shown("p-retired-unagreed")
        assert (retired["status"], retired["compliance"]) == ("retired", [])
        not_yet = shown("p-week", "2025-12-23T00:00:00Z")
        assert (not_yet["status"], not_yet["compliance"]) == ("proposed", [])
