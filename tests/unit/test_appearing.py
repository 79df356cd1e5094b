"""When a signal appeared to delivery (``notifications.webhooks.appearing``): its ``raised_at`` on delivery's first
round; the previous round's time for a backdated one first seen later; never news past the horizon; rows deleted
once their signal is that old."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.stores.appearance_tables import MemoryAppearances
from notifications.webhooks.appearing import HORIZON_SECONDS, Appearances
from projections.signals.model import Signal

DAY = 86400.0
NOW = 1_800_000_000.0


def signal(key: str, days_ago: float) -> Signal:
    raised = datetime.fromtimestamp(NOW - days_ago * DAY, UTC).replace(tzinfo=None)
    return Signal("experiment_srm", "experiment", key, "", "lab", None, raised, {}, f"/experiments/{key}")


def test_the_first_round_counts_from_raised_at_and_later_ones_from_the_previous_round() -> None:
    table = MemoryAppearances()
    first = [signal("eight", 8), signal("two", 2)]
    assert Appearances(table).news(first, NOW) == {first[1].id: NOW - 2 * DAY}
    later = [*first, signal("backdated", 30), signal("by-time", -30 / DAY)]  # raised 30 s after the first round
    news = Appearances(table).news(later, NOW + 60)  # another process, a minute later
    assert news == {first[1].id: NOW - 2 * DAY, later[2].id: NOW, later[3].id: NOW + 30}
    assert table.last_round() == NOW + 60


def test_a_signal_past_the_horizon_is_never_news_and_old_rows_go() -> None:
    table = MemoryAppearances()
    appearances = Appearances(table)
    appearances.news([signal("recent", 1)], NOW)
    old = signal("old", HORIZON_SECONDS / DAY + 1)
    assert appearances.news([old], NOW + 60) == {}
    assert table.appeared([old.id]) == {}
    assert appearances.forget(NOW + HORIZON_SECONDS - 2 * DAY) == 0  # within the horizon a day more: kept
    assert appearances.forget(NOW + HORIZON_SECONDS) == 1
