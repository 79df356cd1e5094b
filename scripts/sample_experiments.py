"""Step 9 of the sample company beyond the first A/B test: the experiment statistics of docs/brief.md §6.

A three-arm test with a guardrail (one arm harms it), a proportion test, and a CUPED-adjusted test
whose units carry their pre-period value. The before/after experiment of ``sample_company`` gets its
XmR chart and segmented regression from the metric's readings. A random generator of its own keeps
the rest of the sample company's numbers unchanged.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Timeline(Protocol):
    def add(self, type_: str, id_: str, at: str, actor: str | None = None, **fields: Any) -> None: ...


PLANNED: list[dict[str, Any]] = [
    {
        "experiment": "exp-arrival-notice", "team": "home-delivery", "metric": "delivery-minutes",
        "actor": "maria-ivanova",
        "hypothesis": "Telling customers we are 10 minutes away (SMS or a call) gets couriers away from the "
        "door faster, without more complaints.",
        "plan": {"arms": ["no-notice", "sms-notice", "call-notice"], "guardrails": ["complaint-rate"],
                 "mde": 0.05},
        "units": 25, "days": ("2026-02-23", "2026-03-20"),
        "arms": {"no-notice": (35.5, 3.0, 1.6), "sms-notice": (34.9, 3.0, 1.6), "call-notice": (33.2, 3.0, 2.4)},
        "conclusion": ("reject", "Calls raised complaints; neither notice made couriers measurably faster."),
    },
    {
        "experiment": "exp-pick-to-light", "team": "warehouse", "metric": "pick-accuracy-pct",
        "actor": "pavel-morozov",
        "hypothesis": "Pick-to-light shelves raise the share of orders picked complete and correct.",
        "plan": {"arms": ["paper-list", "pick-to-light"], "kind": "proportion", "mde": 0.04},
        "units": 100, "days": ("2026-02-02", "2026-03-02"),
        "arms": {"paper-list": 0.88, "pick-to-light": 0.985},
        "conclusion": ("adopt", "Pick-to-light orders were complete and correct far more often; fit every aisle."),
    },
    {
        "experiment": "exp-nav-app", "team": "home-delivery", "metric": "delivery-minutes",
        "actor": "maria-ivanova",
        "hypothesis": "A navigation app with live traffic shortens each courier's minutes to the door; "
        "each courier's December average is the covariate (CUPED).",
        "plan": {"arms": ["paper-map", "nav-app"], "mde": 0.03},
        "units": 24, "days": ("2026-03-02", "2026-03-27"),
        "arms": {"paper-map": 0.0, "nav-app": -1.4},
        "conclusion": ("adopt", "About 1.4 minutes faster per order once each courier's usual pace is "
                                "accounted for; the raw comparison alone could not tell."),
    },
]


def _at(exp: dict[str, Any], unit: int, arm_index: int) -> str:
    """Units enrol evenly over the run (a day or so apart), so the effect can be followed as it builds up."""
    first, last = (datetime.fromisoformat(day).replace(tzinfo=UTC, hour=9) for day in exp["days"])
    day = (last - first).days * unit // exp["units"]
    return (first + timedelta(days=day, minutes=7 * (unit % 60) + arm_index)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _observe(tl: Timeline, exp: dict[str, Any], arm: str, unit: int, index: int, **fields: Any) -> None:
    metric = fields.get("metric") or exp["metric"]
    tl.add("RecordObservation", f"obs-{exp['experiment']}-{arm}-{metric}-{unit:03d}",
           _at(exp, unit, index), exp["actor"], experiment=exp["experiment"], arm=arm, **fields)


def _shuffled(rng: random.Random, units: int, share: float) -> list[float]:
    good = round(units * share)
    values = [1.0] * good + [0.0] * (units - good)
    rng.shuffle(values)
    return values


def add_planned_experiments(tl: Timeline, seed: int) -> None:
    rng = random.Random(seed + 9)
    for exp in PLANNED:
        key: str = exp["experiment"]
        first, last = exp["days"]
        proposed = (datetime.fromisoformat(first) - timedelta(days=5)).strftime("%Y-%m-%dT09:00:00Z")
        tl.add("ProposeExperiment", f"{key}-propose", proposed, exp["actor"], experiment=key, team=exp["team"],
               hypothesis=exp["hypothesis"], metric=exp["metric"], design="ab", **exp["plan"])
        tl.add("StartExperiment", f"{key}-start", f"{first}T08:00:00Z", exp["actor"], experiment=key)
        picks = {arm: _shuffled(rng, exp["units"], share) for arm, share in exp["arms"].items()
                 if key == "exp-pick-to-light"}
        for index, (arm, params) in enumerate(exp["arms"].items()):
            for unit in range(exp["units"]):
                if key == "exp-arrival-notice":
                    minutes, sd, complaints = params
                    _observe(tl, exp, arm, unit, index, value=round(rng.gauss(minutes, sd), 1))
                    _observe(tl, exp, arm, unit, index, metric="complaint-rate",
                             value=round(max(0.0, rng.gauss(complaints, 0.9)), 2))
                elif key == "exp-pick-to-light":  # a fixed share of good picks, in a random order
                    _observe(tl, exp, arm, unit, index, value=picks[arm][unit])
                else:
                    december = rng.gauss(40.0, 4.0)  # the courier's own pace before the test
                    value = 6.0 + 0.85 * december + params + rng.gauss(0, 1.0)
                    _observe(tl, exp, arm, unit, index, value=round(value, 2), covariate=round(december, 2))
        decision, learning = exp["conclusion"]
        tl.add("ConcludeExperiment", f"{key}-conclude", f"{last}T17:00:00Z", exp["actor"], experiment=key,
               decision=decision, learning=learning)
