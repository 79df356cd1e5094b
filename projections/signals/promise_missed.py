"""``promise_missed`` (docs/brief.md §9): a completed period missed its target.

Raised at the end of the missed period (the moment it was judged, no event needed). It stays active for one
period, the time the promisor has to act on it, and clears at the end of the next period (a new miss there is a
new episode) or when the promise is retired. Business time decides a period's readings, so as of any time after
its end a period's verdict is final: a reading recorded late but dated inside the period is part of that verdict
from the start, never a later change.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from projections.signals.model import Signal
from projections.signals.promise_parties import parties, promise_signal
from projections.timeline import moment_of

KIND = "promise_missed"

MISSED = """
SELECT c.promise, c.period_start, c.period_end AS raised_at,
    least(c.period_end + b.step, b.retired_at) AS cleared_at, c.target, c.value, c.readings
FROM compliance_as_of($as_of) c JOIN promise_periods_as_of($as_of) b USING (promise)
WHERE NOT c.kept
"""


def promises_missed(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    when = moment_of(as_of)
    party = parties(con, when)
    return [
        promise_signal(KIND, promise, party[promise], start, raised, cleared if cleared <= when else None,
                       {"target": target, "value": value, "readings": readings})
        for promise, start, raised, cleared, target, value, readings
        in con.execute(MISSED, {"as_of": when}).fetchall()
    ]
