"""Where the store and the views live: flags, then environment, then files under ./.clientocracy/."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

DEFAULT_STORE = "sqlite:///.clientocracy/ledger.db"
DEFAULT_VIEWS = ".clientocracy/views.duckdb"


def store_url(store: str | None) -> str:
    return store or os.environ.get("CLIENTOCRACY_STORE") or DEFAULT_STORE


def views_path(views: str | None) -> Path:
    return Path(views or os.environ.get("CLIENTOCRACY_VIEWS") or DEFAULT_VIEWS)


def parse_as_of(text: str | None) -> datetime | None:
    """ISO-8601; a time without an offset (or a bare date, meaning midnight) is UTC; ValueError
    outside business time (1970-01-01 to 2200-01-01 UTC, ``domain.business_time``)."""
    from domain.business_time import business_time

    if text is None:
        return None
    return business_time(datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text))
