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
not recorded, and rows are deleted once their signal is that old and a week more (``forget``), so the table holds
~105 days. A row keeps the latest ``raised_at`` its signal was seen with: some kinds keep their id while
backdated data moves their ``raised_at`` later, and deleting the row of a signal still current would make it
appear again, and be delivered again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from domain.service.business_time_policy import MAX_BACKDATE
from domain.stores.appearance_tables import AppearanceRow, AppearanceTable
from notifications.webhooks.evaluating import epoch
from notifications.webhooks.policy import DAY, MAX_AGE_SECONDS
from projections.signals.model import Signal

HORIZON_SECONDS = MAX_BACKDATE.total_seconds() + MAX_AGE_SECONDS + DAY
"""A signal raised longer ago than this before now is never news, whenever it appeared."""
FORGET_MARGIN = MAX_AGE_SECONDS
"""Rows are kept this much past the horizon: a process whose clock is behind the deleting one's by less still
finds the rows of the signals it counts as current, and does not record them as appearing anew."""


class Known(NamedTuple):
    """A signal's row as this process last read or wrote it, and the ``raised_at`` it last saw the signal with."""

    raised: datetime
    row: AppearanceRow


class Appearances:
    """One process's view of the store's appearance table: what it already read or recorded is remembered (only
    for the signals still within the horizon, so it does not grow for as long as the process runs)."""

    def __init__(self, table: AppearanceTable) -> None:
        self.table = table
        self.seen: dict[str, Known] = {}
        self.judged = False
        """A round ran in this process: the rows of the signals it saw carry their latest ``raised_at``."""

    def news(self, signals: Sequence[Signal], now: float) -> dict[str, float]:
        """When each of these signals that is still news (appeared at most 7 days before ``now``) appeared,
        recording the first appearance of those no round saw yet and the later ``raised_at`` of those whose
        ``raised_at`` moved (so their rows are kept while they are current); marks this round at ``now``."""
        previous = self.table.last_round()
        horizon = datetime.fromtimestamp(now - HORIZON_SECONDS, UTC).replace(tzinfo=None)
        current = {s.id: s for s in signals if naive_utc(s.raised_at) >= horizon}
        self.seen = {i: known for i, known in self.seen.items() if i in current}
        unseen = [i for i in current if i not in self.seen]
        stored = self.table.appeared(unseen) if unseen else {}  # another process may have recorded them
        writes = []
        for i, found in current.items():  # epochs only for the signals new to this process or moved
            known = self.seen.get(i)
            if known is not None and known.raised == found.raised_at:
                continue
            at = epoch(found.raised_at)
            row = known.row if known is not None else stored.get(i)
            if row is None:
                writes.append(AppearanceRow(i, at, at if previous is None else max(at, previous)))
            elif row.raised_at < at:
                writes.append(row._replace(raised_at=at))
            else:
                self.seen[i] = Known(found.raised_at, row)
        for i, row in self.table.record(writes, now).items():
            self.seen[i] = Known(current[i].raised_at, row)
        self.judged = True
        return {i: known.row.appeared_at for i, known in self.seen.items()
                if known.row.appeared_at >= now - MAX_AGE_SECONDS}

    def forget(self, now: float) -> int:
        """Delete the rows of signals too old ever to be news again, with ``FORGET_MARGIN`` to spare; how many.
        Only once this process judged a round: before, a signal whose ``raised_at`` moved may still have its old
        one on record (after every delivery stood still for a while)."""
        if not self.judged:
            return 0
        return self.table.forget_raised_before(now - HORIZON_SECONDS - FORGET_MARGIN)


def naive_utc(moment: datetime) -> datetime:
    """Signals' times are naive UTC; an aware one is brought to it."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
