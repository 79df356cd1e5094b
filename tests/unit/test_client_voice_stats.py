"""docs/brief.md §9 client_voice_shift's statistic: XmR limits from all earlier unsignalled weeks, the Western
Electric rules on the worsening side only, one episode per shift; and its power on planted Poisson data."""

from __future__ import annotations

import numpy as np
import pytest

from projections.experiment_stats.spc import episodes, limits
from projections.signals.client_voice import MIN_BASELINE, MIN_COMPLAINTS

LAMBDA, WEEKS, SHIFT_WEEK, SEEDS = 10, 52, 26, 400


def test_no_limits_before_eight_weeks() -> None:
    assert episodes([10.0, 10.0, 11.0, 9.0, 10.0, 10.0, 11.0, 90.0], +1) == []
    assert [e.start for e in episodes([10.0, 10.0, 11.0, 9.0, 10.0, 10.0, 11.0, 9.0, 90.0], +1)] == [8]


def test_limits_come_from_all_earlier_weeks_and_the_first_rule_is_named() -> None:
    weeks = [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 11.0, 9.0, 30.0]
    (episode,) = episodes(weeks, +1)
    assert episode.start == 10 and episode.rule == 1 and episode.value == 30.0 and episode.end is None
    assert episode.limits == pytest.approx(limits(weeks[:10]))


def test_only_the_worsening_side_signals() -> None:
    base = [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 11.0, 9.0]
    assert episodes([*base, 0.0], +1) == []  # fewer complaints: no signal
    assert [e.start for e in episodes([*base, 0.0], -1)] == [10]  # a falling rating does
    assert episodes([*base, 30.0], -1) == []


def test_a_sustained_shift_is_one_episode_cleared_back_at_the_center() -> None:
    base = [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 11.0, 9.0]
    (episode,) = episodes([*base, 30.0, 14.0, 25.0, 12.0, 9.0, 10.0], +1)
    assert (episode.start, episode.end) == (10, 14)  # 14 and 12 stay above the center 10.2; 9 is back


def test_signalled_weeks_stay_out_of_later_limits() -> None:
    base = [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 11.0, 9.0]
    first, second = episodes([*base, 40.0, 9.0, 40.0], +1)
    assert (first.start, first.end, second.start) == (10, 11, 12)
    assert second.limits == pytest.approx(limits([*base, 9.0]))  # the first 40 never joined the baseline


def test_a_pattern_needs_evidence_after_the_last_episode() -> None:
    base = [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0, 11.0, 9.0] * 3  # centre 10.2, 2σ above it 13.8
    assert [(e.start, e.end, e.rule) for e in episodes([*base, 15.0, 15.0, 9.0, 15.0], +1)] == [(31, 32, 2)]
    # after the 9 a single 15 is no pattern (the 15 before the 9 does not count); a second one is
    assert [e.start for e in episodes([*base, 15.0, 15.0, 9.0, 15.0, 15.0], +1)] == [31, 34]


def test_a_floor_keeps_a_quiet_series_from_shifting_on_every_complaint() -> None:
    quiet = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]  # limits: a fraction of one complaint
    assert [e.start for e in episodes(quiet, +1)] == [10]
    assert episodes(quiet, +1, floor=3) == [] and [e.start for e in episodes([*quiet, 4.0], +1, floor=3)] == [11]


def _planted(seed: int, rise: float) -> list[float]:
    rng = np.random.default_rng(seed)
    before = rng.poisson(LAMBDA, SHIFT_WEEK)
    after = rng.poisson(LAMBDA * rise, WEEKS - SHIFT_WEEK)
    return np.concatenate([before, after]).astype(float).tolist()


def _weekly_complaint_episodes(weeks: list[float]) -> list[int]:
    """Where episodes start, judged as the signal judges a weekly complaint count."""
    return [e.start for e in episodes(weeks, +1, min_baseline=MIN_BASELINE, floor=MIN_COMPLAINTS)]


def detection_rate(within_weeks: int) -> float:
    """The share of seeds whose doubled rate from week W raises a signal tripped by a week W .. W + within_weeks
    (within two weeks: raised at most two weeks after W ends; W = 26 of 52, λ = 10 a week before it)."""
    found = 0
    for seed in range(SEEDS):
        starts = [start for start in _weekly_complaint_episodes(_planted(seed, 2.0)) if start >= SHIFT_WEEK]
        found += bool(starts) and min(starts) <= SHIFT_WEEK + within_weeks
    return found / SEEDS


def false_episodes_per_year() -> float:
    return float(np.mean([len(_weekly_complaint_episodes(_planted(seed, 1.0))) for seed in range(1000, 1000 + SEEDS)]))


def test_a_doubled_rate_is_signalled_within_two_weeks_in_most_seeds() -> None:
    rate = detection_rate(2)
    assert rate >= 0.80, rate  # measured 0.8825 (0.7875 by the end of the week after W, 0.5575 in W itself)


def test_a_stable_year_raises_at_most_one_false_episode_on_average() -> None:
    rate = false_episodes_per_year()
    assert rate <= 1.0, rate  # measured 0.665 (seeds 1000-1399)
