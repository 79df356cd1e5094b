"""When a signal appeared to delivery (``notifications.webhooks.appearing``): its ``raised_at`` on delivery's first
round; the previous round's time for a backdated one first seen later; never news past the horizon; rows deleted
once their signal is that old."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.stores.appearance_tables import MemoryAppearances
from notifications.webhooks.appearing import FORGET_MARGIN, HORIZON_SECONDS, Appearances
from projections.signals.model import Signal

DAY = 86400.0
NOW = 1_800_000_000.0


def signal(key: str, days_ago: float) -> Signal:
    return at(NOW - days_ago * DAY, "experiment_srm", "experiment", key)


def at(raised_at: float, kind: str = "complaint_overdue", subject: str = "feedback", key: str = "f1") -> Signal:
    raised = datetime.fromtimestamp(raised_at, UTC).replace(tzinfo=None)
    return Signal(kind, subject, key, "", "ops", None, raised, {}, f"/{subject}/{key}")


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
    assert appearances.forget(NOW + HORIZON_SECONDS + FORGET_MARGIN - 2 * DAY) == 0  # within the margin: kept
    assert appearances.forget(NOW + HORIZON_SECONDS + FORGET_MARGIN) == 1


def test_a_signal_whose_raised_at_moved_later_keeps_its_row_while_current_and_is_not_news_again() -> None:
    """A complaint's ``raised_at`` moves 30 days later (backdated data), its id does not: 98 days after the first
    ``raised_at`` the signal is still current, so its row stays and a restarted process does not see it anew."""
    table = MemoryAppearances()
    table.record([], NOW - 60)
    first = Appearances(table)
    assert first.news([at(NOW - DAY)], NOW) == {at(NOW).id: NOW - 60}
    later, now = at(NOW + 30 * DAY), NOW + 98 * DAY
    assert first.news([later], now) == {}
    assert table.rows[later.id].raised_at == NOW + 30 * DAY and table.rows[later.id].appeared_at == NOW - 60
    assert first.forget(now) == 0
    assert Appearances(table).news([later], now) == {}
    assert first.news([at(NOW + 10 * DAY)], now + 60) == {}  # moved back: the row keeps the latest
    assert table.rows[later.id].raised_at == NOW + 30 * DAY


def test_a_process_whose_clock_lags_does_not_record_anew_what_another_process_deleted() -> None:
    table = MemoryAppearances()
    ahead, behind = Appearances(table), Appearances(table)
    old = at(NOW - HORIZON_SECONDS + DAY)
    ahead.news([old], NOW)
    ahead.news([], NOW + 1.5 * DAY)  # the signal is past the horizon for this process
    ahead.forget(NOW + 1.5 * DAY)
    assert behind.news([old], NOW - 0.5 * DAY) == {}  # two days behind: it is still current here, not news
    assert table.rows[old.id].appeared_at == old.raised_at.replace(tzinfo=UTC).timestamp()


def test_a_process_deletes_no_row_before_it_judged_a_round() -> None:
    """After delivery stood still, a row may still hold a ``raised_at`` its signal moved away from."""
    table = MemoryAppearances()
    Appearances(table).news([signal("old", 10)], NOW)
    starting = Appearances(table)
    assert starting.forget(NOW + HORIZON_SECONDS + FORGET_MARGIN) == 0
    starting.news([], NOW + HORIZON_SECONDS + FORGET_MARGIN)
    assert starting.forget(NOW + HORIZON_SECONDS + FORGET_MARGIN) == 1
