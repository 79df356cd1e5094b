"""How delivery waits and retries: an answer within 10 s, retries with exponential backoff and jitter (the first
within a minute, six attempts over about three hours), signals up to 7 days old, at most a few attempts in flight
per endpoint. The environment may shorten the waits for tests (``CLIENTOCRACY_WEBHOOK_TIMEOUT`` and
``CLIENTOCRACY_WEBHOOK_BACKOFF``, in seconds)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

MAX_AGE_SECONDS = 7 * 24 * 3600.0


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

    @classmethod
    def from_environment(cls) -> DeliveryPolicy:
        return cls(timeout=float(os.environ.get("CLIENTOCRACY_WEBHOOK_TIMEOUT", "10")),
                   backoff=float(os.environ.get("CLIENTOCRACY_WEBHOOK_BACKOFF", "30")))

    @property
    def lease(self) -> float:
        """How long a claim holds a delivery: past it, a claimer that died has certainly stopped trying. An attempt
        takes at most ``timeout`` (name resolution included) and starts only with a whole ``timeout`` of its claim
        left (``Deliverer``): three times it, and 5 s, leave room for waiting on a worker and writing the end."""
        return 3 * self.timeout + 5.0

    def retry_delay(self, attempt: int) -> float:
        """The wait after failed attempt ``attempt`` (1-based), ±20 % jitter so receivers are not hit in step."""
        return float(self.backoff * 4 ** (attempt - 1) * random.uniform(0.8, 1.2))
