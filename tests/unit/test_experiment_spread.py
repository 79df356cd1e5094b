"""Where a proven solution spread, in words (``projections.rendering.experiment_spread``): whether it worked there
too follows the adopting metric's direction, and only a significant difference is called better or worse."""

from __future__ import annotations

from typing import Any

import pytest

from projections.rendering.experiment_spread import reach, spread, verdict


def adoption(abs_diff: float | None, p_value: float | None, direction: str = "lower_is_better") -> dict[str, Any]:
    effect = {"before_mean": 12.0, "after_mean": None if abs_diff is None else 12.0 + abs_diff, "abs_diff": abs_diff,
              "p_value": p_value, "n_before": 14, "n_after": 12,
              "because": None if abs_diff is not None else "each window needs 2 readings: …"}
    return {"team": "bakery", "at": "2026-03-03T09:00:00+00:00", "metric": "wait", "metric_name": "waiting time",
            "unit": "min", "direction": direction, "effect": effect}


@pytest.mark.parametrize(("diff", "p", "direction", "words"), [
    (-2.1, 0.03, "lower_is_better", "better"), (2.1, 0.03, "lower_is_better", "worse"),
    (2.1, 0.03, "higher_is_better", "better"), (-2.1, 0.03, "higher_is_better", "worse"),
    (-2.1, 0.2, "lower_is_better", "no significant difference"), (-2.1, None, "lower_is_better", ""),
])
def test_it_worked_there_too_by_the_metrics_direction(diff: float, p: float | None, direction: str,
                                                       words: str) -> None:
    assert verdict(adoption(diff, p, direction)) == words


def test_a_sentence_per_adoption_and_how_far_it_spread() -> None:
    view = {"team": "kitchen", "adoptions": [adoption(-2.1, 0.03), {**adoption(None, None), "team": "deli"}]}
    assert [line.text for line in spread(view)] == [
        "bakery adopted it on 3 Mar 2026; waiting time \u22122.1 min (12.0 \u2192 9.9; p = 0.030, 14 readings "
        "before vs 12 after), better",
        "deli adopted it on 3 Mar 2026; waiting time: no effect to show yet (each window needs 2 readings: …)"]
    assert reach(view) == "runs in 3 teams: kitchen (ran it), bakery, deli"
    assert reach({"team": "kitchen", "adoptions": []}) == "runs in 1 team: kitchen (ran it)"
