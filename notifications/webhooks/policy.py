"""How delivery waits and retries: an answer within 10 s, retries with exponential backoff and jitter (the first
within a minute, six attempts over about three hours), signals that appeared up to 7 days ago (``appearing``), at
most a few attempts in flight per endpoint; ended deliveries (webhooks and e-mail) kept 30 days, then deleted.
The environment may shorten the waits for tests (``CLIENTOCRACY_WEBHOOK_TIMEOUT`` and
``CLIENTOCRACY_WEBHOOK_BACKOFF``, in seconds) and set how long ended deliveries are kept
(``CLIENTOCRACY_DELIVERY_KEEP_DAYS``)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

MAX_AGE_SECONDS = 7 * 24 * 3600.0
DAY = 24 * 3600.0
KEEP_DAYS = "CLIENTOCRACY_DELIVERY_KEEP_DAYS"
MIN_KEEP_DAYS = 8
"""A delivery's row is what stops its signal from being sent again, so it is kept past the 7 days in which its
signal could still be delivered (a signal appears before its row is added), with a day to spare for clocks."""


class PolicyError(ValueError):
    """A delivery setting of the environment that cannot be used, naming it and why."""


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout: float = 10.0
    """Seconds an attempt may take in all (connect, send, answer)."""
    backoff: float = 30.0
    """The first retry's delay; each next one is four times longer (30 s, 2 min, 8 min, 32 min, 2 h 8 min)."""
    attempts: int = 6
    per_endpoint: int = 8
    """Attempts in flight at once per endpoint in one process: a slow endpoint holds only its own."""
    evaluate_every: float = 30.0
    """Seconds between evaluations of the signals when no event arrives (signals raised by time alone)."""
    keep: float = 30 * DAY
    """Seconds a delivery (webhook or e-mail) that ended is kept, with its attempts, before it is deleted."""

    @classmethod
    def from_environment(cls) -> DeliveryPolicy:
        return cls(timeout=float(os.environ.get("CLIENTOCRACY_WEBHOOK_TIMEOUT", "10")),
                   backoff=float(os.environ.get("CLIENTOCRACY_WEBHOOK_BACKOFF", "30")),
                   keep=keep_days(os.environ.get(KEEP_DAYS)) * DAY)

    @property
    def lease(self) -> float:
        """How long a claim holds a delivery: past it, a claimer that died has certainly stopped trying. An attempt
        takes at most ``timeout`` (name resolution included) and starts only with a whole ``timeout`` of its claim
        left (``Deliverer``): three times it, and 5 s, leave room for waiting on a worker and writing the end."""
        return 3 * self.timeout + 5.0

    def retry_delay(self, attempt: int) -> float:
        """The wait after failed attempt ``attempt`` (1-based), ±20 % jitter so receivers are not hit in step."""
        return float(self.backoff * 4 ** (attempt - 1) * random.uniform(0.8, 1.2))


def keep_days(text: str | None) -> float:
    """``CLIENTOCRACY_DELIVERY_KEEP_DAYS``: 30 when unset; at least ``MIN_KEEP_DAYS``."""
    if text is None or not text.strip():
        return 30.0
    try:
        days = float(text)
    except ValueError:
        raise PolicyError(f"{KEEP_DAYS}={text!r}: give a number of days, e.g. 30") from None
    if not days >= MIN_KEEP_DAYS:  # NaN too
        raise PolicyError(f"{KEEP_DAYS}={text!r}: at least {MIN_KEEP_DAYS} days (a delivery's row is what stops "
                          "its signal, deliverable for 7 days, from being sent again)")
    return days
