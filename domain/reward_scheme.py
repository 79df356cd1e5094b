"""The reward scheme every team has until it chooses one (step 8): 20% of its net profit, split equally.

A module of its own, free of the event-sourcing machinery, so the projections can read it
without importing the aggregates.
"""

from __future__ import annotations

from typing import Any

DEFAULT_REWARD_SCHEME: dict[str, Any] = {
    "variant": "team_net_profit_share",
    "share": 0.20,
    "carry_forward_losses": False,
    "team_weight": 1.0,
    "split": "equal",
    "base_pay": {},
    "hours": {},
    "cadence": "month",
}
