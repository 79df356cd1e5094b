"""``promise_missed`` (docs/brief.md §9): a completed period missed its target.

Raised at the end of the missed period (the moment it was judged, no event needed). It stays active for one
period, the time the promisor has to act on it, and clears at the end of the next period (a new miss there is a
new episode) or when the promise is retired. Business time decides a period's readings, so as of any time after
its end a period's verdict is final: a reading recorded late but dated inside the period is part of that verdict
from the start, never a later change.
"""

from __future__ import annotations

KIND = "promise_missed"

MISSED = f"""
SELECT '{KIND}' AS kind, c.promise, c.period_start, c.period_end AS raised_at,
    least(c.period_end + b.step, b.retired_at) AS cleared_at,
    to_json({{'target': c.target, 'value': c.value, 'readings': c.readings}}) AS because
FROM c JOIN b USING (promise)
WHERE NOT c.kept
"""
"""Over ``b`` (each promise's calendar) and ``c`` (its completed periods with a reading, ``projections.signals.
promise_outcomes``): each missed period, raised at its end and cleared a period later (or at retirement)."""
