"""Where the store and the views live: flags, then environment, then files under ./.clientocracy/."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STORE = "sqlite:///.clientocracy/ledger.db"
DEFAULT_VIEWS = ".clientocracy/views.duckdb"


def store_url(store: str | None) -> str:
    return store or os.environ.get("CLIENTOCRACY_STORE") or DEFAULT_STORE


def views_path(views: str | None) -> Path:
    return Path(views or os.environ.get("CLIENTOCRACY_VIEWS") or DEFAULT_VIEWS)



def public_url(url: str | None) -> str:
    """The address links in signals start with (docs/brief.md §9): the flag, then CLIENTOCRACY_PUBLIC_URL; empty
    gives links relative to the site."""
    return (url or os.environ.get("CLIENTOCRACY_PUBLIC_URL") or "").rstrip("/")
