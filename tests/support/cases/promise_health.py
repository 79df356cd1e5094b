"""Planted promises for docs/brief.md §9's promise health and promise signals, week by week.

Every promise is weekly, target 90 (higher is better), agreed on Thursday 2026-01-01, so its first week is
Monday 2026-01-05; the current week of most checks is Monday 2026-03-02 (half of it gone at Thursday 12:00),
and the 13 weeks before it hold the 8 weeks from 2026-01-05 to 2026-02-23. Each promise reads a metric of its own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from tests.support.scenario import Scenario

FIRST_WEEK = date(2026, 1, 5)
CURRENT_WEEK = date(2026, 3, 2)
HALF_WAY = datetime(2026, 3, 5, 12, 0)  # Thursday noon: half of the current week gone
WEEKS_BEFORE = 8  # completed weeks from the first one to the current one


def _weekly(scenario: Scenario, metric: str, values: dict[int, float | None], default: float = 95.0) -> None:
    """One reading each Tuesday 10:00 of the 8 completed weeks (week index -> value, None: no reading; others
    ``default``)."""
    for week in range(WEEKS_BEFORE):
        day = FIRST_WEEK + timedelta(weeks=week, days=1)
        value = values.get(week, default)
        if value is not None:
            scenario.reading(value, metric, at=f"{day}T10:00:00Z")


def _promise(scenario: Scenario, key: str, promisee: str, **fields: Any) -> None:
    scenario.metric(f"m-{key}", at="2026-01-01T00:00:00Z")
    scenario.promise(key, f"We keep {key}", 90, "week", promisee=promisee, metric=f"m-{key}",
                     at="2026-01-01T00:00:00Z", **fields)
    scenario.agreed(key, at="2026-01-01T00:00:00Z")


def scenario() -> Scenario:
    s = Scenario(at="2026-01-01T00:00:00Z").team("kitchen", "Kitchen").team("ops", "Operations").client("shop")
    # on track: every week kept, 95 so far this week from three readings
    _promise(s, "p-track", "shop")
    _weekly(s, "m-p-track", {})
    for day in (2, 3, 4):
        s.reading(95, "m-p-track", at=f"2026-03-0{day}T10:00:00Z")
    # at risk this week: 80 on Monday, Tuesday and Wednesday (raised at Thursday noon, with no event); Friday's 150
    # brings the mean to 97.5 and clears it. The promisee is a team.
    _promise(s, "p-risk", "kitchen", objective=0.9)
    _weekly(s, "m-p-risk", {})
    for day in (2, 3, 4):
        s.reading(80, "m-p-risk", at=f"2026-03-0{day}T10:00:00Z")
    s.reading(150, "m-p-risk", at="2026-03-06T10:00:00Z")
    # two readings below the target after half the week: not at risk (at least 3 are needed); no reading in the
    # week of 2026-01-26
    _promise(s, "p-two", "shop")
    _weekly(s, "m-p-two", {3: None})
    for day in (2, 3):
        s.reading(80, "m-p-two", at=f"2026-03-0{day}T10:00:00Z")
    # the third reading arrives after half the week: raised at that reading's time
    _promise(s, "p-third", "shop")
    _weekly(s, "m-p-third", {})
    for at in ("2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z", "2026-03-06T09:00:00Z"):
        s.reading(80, "m-p-third", at=at)
    # the last completed week missed; objective 0.75 allows floor(0.25 × 8) = 2 misses: 1 left
    _promise(s, "p-missed", "shop", objective=0.75)
    _weekly(s, "m-p-missed", {7: 80.0})
    # objective 0.9 over 7-8 weeks allows none: exhausted once week 6 (2026-02-16) is missed, at 2026-02-23 00:00;
    # an amendment to 0.5 on Wednesday 2026-03-04 gives budget back (floor(0.5 × 8) = 4 allowed)
    _promise(s, "p-budget", "shop", objective=0.9)
    _weekly(s, "m-p-budget", {6: 80.0, 7: 80.0})
    s.add("AmendPromise", promise="p-budget", changes={"objective": 0.5}, reason="a realistic objective",
          at="2026-03-04T00:00:00Z")
    # still under negotiation: no health, whatever its metric reads
    s.promise("p-talk", "Still talking", 90, "week", promisee="shop", metric="m-p-track", objective=1)
    return s
