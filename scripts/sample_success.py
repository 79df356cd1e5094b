"""Step 7 in the sample company (docs/brief.md §11): each team's success metric, and the books of the eleven
months before the quarter, so the team pages show growth year over year (14 months of economics, 2025-02 to
2026-03) and how many of the last 12 months paid for themselves.

The months before were brought in from the old books on the day the teams were formed, one revenue and one
cost line a month, growing into the quarter (the bakery, on older ovens and fewer lunch boxes, lost money in
the first months of 2025). A random generator of its own keeps the rest of the sample company's numbers
unchanged.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from scripts.sample_company_story import COUNCIL, LEDGER
from scripts.sample_experiments import Timeline

HISTORY = tuple(f"2025-{month:02d}" for month in range(2, 13))
BOOKS_BROUGHT_IN = datetime(2025, 12, 1, 12, 0)  # UTC, after the teams were formed
SUCCESS: list[tuple[str, str, str, str, float, str]] = [
    # (at, lead, team, metric, target, reason)
    ("2026-01-02T09:00:00Z", "anna-petrova", "home-delivery", "ontime-delivery-pct", 92.0,
     "Households buy from us again when the basket arrives inside the window they chose."),
    ("2026-01-02T09:05:00Z", "sergei-kuznetsov", "bakery", "lunch-by-1230-pct", 95.0,
     "Offices keep ordering lunch boxes only when they arrive before the lunch break."),
    ("2026-01-02T09:10:00Z", "pavel-morozov", "warehouse", "pick-accuracy-pct", 99.0,
     "Every order line picked wrong comes back as a complaint to the team that delivered it."),
    ("2026-02-20T09:00:00Z", "anna-petrova", "home-delivery", "ontime-delivery-pct", 95.0,
     "Micro-zone batching made 92% easy; the next step is the window nearly every time."),
]


def _mean(amounts: list[float]) -> float:
    return sum(amounts) / len(amounts)


def add_success(tl: Timeline) -> None:
    rng = random.Random(2025)
    clock = BOOKS_BROUGHT_IN
    for team, book in LEDGER.items():
        revenue = _mean(book["revenue"][1])
        costs = _mean([sum(month) for month in zip(*(amounts for _, _, amounts in book["costs"]), strict=True)])
        for i, period in enumerate(HISTORY):
            for kind, amount in (("revenue", revenue * (0.82 + 0.012 * i)), ("cost", costs * (0.84 + 0.008 * i))):
                clock += timedelta(seconds=10)
                tl.add("PostLedgerEntry", f"ledger-{team}-{period}-{kind}-old-books", f"{clock:%Y-%m-%dT%H:%M:%SZ}",
                       COUNCIL, team=team,
                       period=period, kind=kind, amount=float(round(amount * rng.uniform(0.985, 1.015), -1)),
                       description=f"{kind.capitalize()} of {period} from the books kept before the ledger")
    for at, lead, team, metric, target, reason in SUCCESS:
        tl.add("SetSuccessMetric", f"success-{team}-{at[:10]}", at, lead, team=team, metric=metric, target=target,
               reason=reason)
