"""When a signal appeared to delivery, which is what its 7 days count from (docs/brief.md §9: "a signal raised
while nothing was running is delivered when delivery starts, unless older than 7 days").

Not its ``raised_at``: that is business time, and a reading, complaint or observation backdated by up to 90 days
raises signals that appear now with a ``raised_at`` weeks ago (an experiment's guardrail harmed last month, learnt
today); judged by ``raised_at`` they were never sent. A signal first seen in a round, when the store's previous
round (any process's) was at ``p``, appeared at ``max(raised_at, p)``: it was not there at ``p``, or ``p`` would
have recorded it. With no round before (delivery's first start), ``raised_at``. The first process to record a
signal's appearance wins (``stores.appearance_tables``), so it does not move with later rounds nor restarts.

Two bounds: a signal is news for ``MAX_AGE_SECONDS`` after it appeared; and one raised longer ago than people may
backdate (``MAX_BACKDATE``) plus those 7 days, with a day to spare for clocks, is never news: only the operator's
``import`` of old history brings those, which receivers and inboxes should not get all at once. Such signals are
not recorded, and rows are deleted once their signal is that old (``forget``), so the table holds ~98 days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from domain.service.business_time_policy import MAX_BACKDATE
from domain.stores.appearance_tables import AppearanceRow, AppearanceTable
from notifications.webhooks.evaluating import epoch
from notifications.webhooks.policy import DAY, MAX_AGE_SECONDS
from projections.signals.model import Signal

HORIZON_SECONDS = MAX_BACKDATE.total_seconds() + MAX_AGE_SECONDS + DAY
"""A signal raised longer ago than this before now is never news, whenever it appeared."""


class Appearances:
    """One process's view of the store's appearance table: what it already read or recorded is remembered (only
    for the signals still within the horizon, so it does not grow for as long as the process runs)."""

    def __init__(self, table: AppearanceTable) -> None:
        self.table = table
        self.seen: dict[str, float] = {}

    def news(self, signals: Sequence[Signal], now: float) -> dict[str, float]:
        """When each of these signals that is still news (appeared at most 7 days before ``now``) appeared,
        recording the first appearance of those no round saw yet; marks this round at ``now``."""
        horizon = datetime.fromtimestamp(now - HORIZON_SECONDS, UTC).replace(tzinfo=None)
        current = {s.id: s for s in signals if naive_utc(s.raised_at) >= horizon}  # epochs only for the unseen
        self.seen = {i: appeared for i, appeared in self.seen.items() if i in current}
        unseen = [i for i in current if i not in self.seen]
        if unseen:  # after a start, or new since the last round: another process may have recorded them
            self.seen.update(self.table.appeared(unseen))
        previous = self.table.last_round()
        raised = {i: epoch(current[i].raised_at) for i in unseen if i not in self.seen}
        first = [AppearanceRow(i, at, at if previous is None else max(at, previous)) for i, at in raised.items()]
        self.seen.update(self.table.record(first, now))
        return {i: appeared for i, appeared in self.seen.items() if appeared >= now - MAX_AGE_SECONDS}

    def forget(self, now: float) -> int:
        """Delete the rows of signals too old ever to be news again; how many."""
        return self.table.forget_raised_before(now - HORIZON_SECONDS)


def naive_utc(moment: datetime) -> datetime:
    """Signals' times are naive UTC; an aware one is brought to it."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
