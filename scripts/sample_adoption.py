"""Step 7's growth in the sample company (docs/brief.md §11): a proven solution spreads to a second team.

Home delivery proved micro-zone batching (``exp-microzone-batching``, concluded adopt on 9 February). On
2 March the bakery's lunch van takes it up for its office drops and measures it on a metric of its own, the
van's minutes to the last office drop, read every working day from February to the end of March. A random
generator of its own keeps the rest of the sample company's numbers unchanged.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from scripts.sample_experiments import Timeline

METRIC = "lunch-van-minutes"
ADOPTED = "2026-03-02T10:00:00Z"
READINGS = (date(2026, 2, 2), date(2026, 3, 27))
MINUTES = {"before": (52.0, 3.2), "after": (46.5, 3.0)}  # mean, sd of a day's minutes


def add_adoption(tl: Timeline) -> None:
    rng = random.Random(1107)
    tl.add("DefineMetric", f"metric-{METRIC}", "2026-01-30T09:00:00Z", "sergei-kuznetsov", metric=METRIC,
           name="Lunch van minutes to the last office drop", unit="minutes", direction="lower_is_better",
           owner="bakery")
    adopted = datetime.fromisoformat(ADOPTED)
    day = READINGS[0]
    while day <= READINGS[1]:
        at = datetime(day.year, day.month, day.day, 13, 10, tzinfo=UTC)
        if day.weekday() < 5:
            mean, sd = MINUTES["after" if at >= adopted else "before"]
            tl.add("RecordReading", f"reading-{METRIC}-{day.isoformat()}", at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "irina-lebedeva", metric=METRIC, value=round(rng.gauss(mean, sd), 1))
        day += timedelta(days=1)
    tl.add("AdoptSolution", "adopt-microzone-bakery", ADOPTED, "irina-lebedeva",
           experiment="exp-microzone-batching", team="bakery", metric=METRIC,
           reason="The lunch van drops at offices in the order the boxes were packed; batching the drops by "
                  "micro-zone should cut its minutes as it did for home delivery.")
