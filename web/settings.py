"""What a server needs to know: its store, its own views file, and a few limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.email.smtp import SmtpSettings
    from notifications.webhooks.policy import DeliveryPolicy


@dataclass(frozen=True)
class ServerSettings:
    store_url: str
    views_path: Path
    poll_interval: float = 0.1
    """Seconds between background catch-ups (writes by other processes show up within this)."""
    max_body_bytes: int = 1 << 20
    """Request bodies past this are refused with 413."""
    max_streams_per_token: int = 8
    """Live streams (``/api/events``) one token may hold open on this server; past it, 429."""
    max_streams: int = 500
    """Live streams this server holds open at most; past it, 429."""
    currency: str = ""
    """Shown beside amounts on the pages (``serve --currency`` / ``CLIENTOCRACY_CURRENCY``); none when empty."""
    public_url: str = ""
    """Links in signals start with it (``serve --public-url`` / ``CLIENTOCRACY_PUBLIC_URL``); relative when empty."""
    smtp: SmtpSettings | None = None
    """E-mail signals through this server (``serve --smtp``, ``notifications.email``); none when None."""
    delivery: DeliveryPolicy | None = None
    """How webhooks and e-mail are retried and kept (``serve`` checks the environment's at start and refuses a bad
    one); None: the environment's, read when delivery starts."""
